// /admin/workspace: leaving with one's data. An export of everything (the
// browser downloads it while the server writes it; this page shows its
// progress from the server's record), and the workspace's deletion after a
// grace period, asked for by typing the workspace's address and cancelable.
//
// Test ids: workspace-page, export-start, export-progress, export-status,
// export-history, deletion-form, deletion-confirm, deletion-submit,
// deletion-pending, deletion-cancel.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { DELETION_CHANGED, download, workspaceApi, type WorkspaceDeletion, type WorkspaceExport } from '../api/workspace';
import { Notice } from '../components/Notice';
import { formatDateTime, t } from '../i18n';
import { useSession } from '../session';
import { AdminPage } from './AdminNav';
import { RecordingSettings } from './RecordingSettings';

/** POLL_MS is how often a running export's progress is read. */
const POLL_MS = 300;

/** formatSize shows a byte count for people. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** WorkspacePage is /admin/workspace. */
export function WorkspacePage() {
  return (
    <AdminPage title="workspace.title" intro="workspace.intro" testId="workspace-page">
      <ExportPanel />
      <RecordingSettings />
      <DeletionPanel />
    </AdminPage>
  );
}

function ExportPanel() {
  const [current, setCurrent] = useState<WorkspaceExport | null>(null);
  const [history, setHistory] = useState<WorkspaceExport[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const loadHistory = useCallback(async () => {
    try {
      setHistory(await workspaceApi.exports());
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void loadHistory(), [loadHistory]);

  // Follow the current export until it ends.
  useEffect(() => {
    if (!current || current.state === 'done' || current.state === 'failed') return;
    const timer = setTimeout(async () => {
      try {
        const next = await workspaceApi.export(current.id);
        setCurrent(next);
        if (next.state === 'done' || next.state === 'failed') void loadHistory();
      } catch (err) {
        setError(errorMessage(err));
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [current, loadHistory]);

  const start = async () => {
    setBusy(true);
    setError('');
    try {
      const e = await workspaceApi.createExport();
      setCurrent(e);
      download(e.download_url);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const running = !!current && (current.state === 'pending' || current.state === 'running');
  return (
    <section class="panel" aria-labelledby="export-title">
      <div class="panel-header">
        <h2 id="export-title">{t('workspace.exportTitle')}</h2>
      </div>
      <p class="muted">{t('workspace.exportIntro')}</p>
      <Notice kind="error">{error}</Notice>
      <button type="button" class="button" onClick={start} disabled={busy || running} data-testid="export-start">
        {busy ? t('workspace.exportStarting') : t('workspace.exportStart')}
      </button>
      {current && (
        <div class="export-progress" data-testid="export-status" data-state={current.state}>
          <progress
            max={100}
            value={current.percent}
            aria-label={t('workspace.progressLabel')}
            data-testid="export-progress"
            data-percent={current.percent}
          />
          <p role="status">
            {current.state === 'done'
              ? t('workspace.done', { size: formatSize(current.bytes) })
              : current.state === 'failed'
                ? t('workspace.failed', { error: current.error ?? '' })
                : t('workspace.progress', {
                    percent: current.percent,
                    rows: current.rows_done,
                    total: current.rows_total,
                    size: formatSize(current.bytes),
                  })}
          </p>
        </div>
      )}
      <h3>{t('workspace.history')}</h3>
      {history?.length === 0 && <p class="muted">{t('workspace.historyEmpty')}</p>}
      {!!history?.length && (
        <div class="table-wrap">
          <table class="table" data-testid="export-history">
            <thead>
              <tr>
                <th scope="col">{t('workspace.when')}</th>
                <th scope="col">{t('workspace.status')}</th>
                <th scope="col">{t('workspace.size')}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((e) => (
                <tr key={e.id}>
                  <td class="nowrap">{formatDateTime(e.created_at)}</td>
                  <td>{t(`workspace.state.${e.state}`)}</td>
                  <td>{e.bytes ? formatSize(e.bytes) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DeletionPanel() {
  const { session } = useSession();
  const slug = session.tenant.slug;
  const [deletion, setDeletion] = useState<WorkspaceDeletion | null>(null);
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  useEffect(() => {
    workspaceApi.deletion().then(setDeletion, (err) => setError(errorMessage(err)));
  }, []);

  const changed = (d: WorkspaceDeletion) => {
    setDeletion(d);
    window.dispatchEvent(new Event(DELETION_CHANGED));
  };

  const ask = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setNotice('');
    try {
      changed(await workspaceApi.requestDeletion(confirm));
      setConfirm('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    setBusy(true);
    setError('');
    try {
      await workspaceApi.cancelDeletion();
      changed({ pending: false, grace_seconds: deletion?.grace_seconds ?? 0 });
      setNotice(t('workspace.canceled'));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const days = Math.round((deletion?.grace_seconds ?? 0) / 86400);
  return (
    <section class="panel" aria-labelledby="deletion-title">
      <div class="panel-header">
        <h2 id="deletion-title">{t('workspace.deleteTitle')}</h2>
      </div>
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{notice}</Notice>
      {deletion?.pending ? (
        <div data-testid="deletion-pending">
          <p>{t('workspace.pending', { date: formatDateTime(deletion.due_at) })}</p>
          <button type="button" class="button" onClick={cancel} disabled={busy} data-testid="deletion-cancel">
            {t('workspace.cancelButton')}
          </button>
        </div>
      ) : (
        deletion && (
          <form class="form" onSubmit={ask} data-testid="deletion-form">
            <p class="muted">{t('workspace.deleteIntro', { days })}</p>
            <div class="field">
              <label for="deletion-confirm">{t('workspace.deleteConfirm', { slug })}</label>
              <input
                id="deletion-confirm"
                autocomplete="off"
                value={confirm}
                onInput={(e) => setConfirm(e.currentTarget.value)}
                data-testid="deletion-confirm"
              />
            </div>
            <div class="form-actions">
              <button type="submit" class="button button-danger" disabled={busy || confirm !== slug} data-testid="deletion-submit">
                {busy ? t('workspace.deleting') : t('workspace.deleteButton')}
              </button>
            </div>
          </form>
        )
      )}
    </section>
  );
}
