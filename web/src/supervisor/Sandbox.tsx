// /admin/sandbox: the way from trying to live. In the sandbox the workspace
// works but sends nothing: what it would have sent is listed here, readable
// as the customer would get it (mail HTML in a sandboxed frame, inert). An
// admin simulates customers' mail, texts and chats, reads the go-live
// checklist and goes live. A live workspace opens sandbox copies of its
// configuration here.
//
// Test ids: sandbox-page, sandbox-state, sandbox-checklist, sandbox-item
// (data-key, data-ok), sandbox-go-live, sandbox-live, sandbox-simulate,
// sim-channel, sim-from, sim-name, sim-subject, sim-body, sim-send,
// sim-done, sandbox-outbox, sandbox-row (data-id, data-kind), sandbox-open,
// sandbox-detail, sandbox-html, sandbox-body, sandbox-copy, sandbox-copied.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { sandboxApi, type Checklist, type KeptMessage, type KeptMessageDetail, type SandboxStatus, type Simulation } from '../api/sandbox';
import { Notice } from '../components/Notice';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router';
import { AdminPage } from './AdminNav';

/** POLL_MS is how often the outbox is read again while the page is visible: sends arrive by themselves. */
const POLL_MS = 5000;

/** SandboxPage is /admin/sandbox. */
export function SandboxPage() {
  const [status, setStatus] = useState<SandboxStatus | null>(null);
  const [checklist, setChecklist] = useState<Checklist | null>(null);
  const [kept, setKept] = useState<KeptMessage[] | null>(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState('');

  // The outbox is polled; the state and the checklist (which looks up DNS
  // records) are read on opening and after each action.
  const loadOutbox = useCallback(async () => {
    try {
      setKept(await sandboxApi.outbox());
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  const load = useCallback(async () => {
    try {
      const [s, c] = await Promise.all([sandboxApi.status(), sandboxApi.checklist()]);
      setStatus(s);
      setChecklist(c);
    } catch (err) {
      setError(errorMessage(err));
    }
    await loadOutbox();
  }, [loadOutbox]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void loadOutbox();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [load, loadOutbox]);

  return (
    <AdminPage title="sandbox.title" intro="sandbox.intro" testId="sandbox-page">
      <Notice kind="error">{error}</Notice>
      {status && (
        <p class={status.sandbox ? 'notice notice-info' : 'notice'} data-testid="sandbox-state" data-sandbox={String(status.sandbox)}>
          {status.sandbox ? (status.copy_of ? t('sandbox.stateCopy') : t('sandbox.stateSandbox')) : t('sandbox.stateLive')}
        </p>
      )}
      {status?.sandbox && !status.copy_of && checklist && <GoLive checklist={checklist} onDone={load} />}
      {status?.sandbox && <Simulate onDone={load} />}
      {status && !status.sandbox && <Copies status={status} onDone={load} />}
      <section class="panel" aria-labelledby="sandbox-outbox-title">
        <div class="panel-header">
          <h2 id="sandbox-outbox-title">{t('sandbox.outbox')}</h2>
          <button type="button" class="button button-small" onClick={() => void loadOutbox()}>
            {t('common.refresh')}
          </button>
        </div>
        {kept?.length === 0 && <p class="muted">{t('sandbox.outboxEmpty')}</p>}
        {!!kept?.length && (
          <div class="table-wrap">
            <table class="table" data-testid="sandbox-outbox">
              <thead>
                <tr>
                  <th scope="col">{t('sandbox.time')}</th>
                  <th scope="col">{t('sandbox.kind')}</th>
                  <th scope="col">{t('sandbox.to')}</th>
                  <th scope="col">{t('sandbox.subject')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {kept.map((m) => (
                  <tr key={m.id} data-testid="sandbox-row" data-id={m.id} data-kind={m.kind}>
                    <td class="nowrap">{formatDateTime(m.created_at)}</td>
                    <td>{m.kind}</td>
                    <td style={{ overflowWrap: 'anywhere' }}>{m.to}</td>
                    <td>{m.subject || t('sandbox.noSubject')}</td>
                    <td class="cell-actions">
                      <button
                        type="button"
                        class="button button-small"
                        aria-expanded={open === m.id}
                        aria-controls="sandbox-detail"
                        onClick={() => setOpen(open === m.id ? '' : m.id)}
                        data-testid="sandbox-open"
                      >
                        {t('sandbox.read')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {open && <KeptView key={open} id={open} onClose={() => setOpen('')} />}
    </AdminPage>
  );
}

function GoLive({ checklist, onDone }: { checklist: Checklist; onDone: () => Promise<void> }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const goLive = async () => {
    if (!confirm(t('sandbox.goLiveConfirm'))) return;
    setBusy(true);
    try {
      await sandboxApi.goLive();
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
    await onDone();
  };
  return (
    <section class="panel" aria-labelledby="sandbox-checklist-title">
      <h2 id="sandbox-checklist-title">{t('sandbox.checklist')}</h2>
      <ul class="checklist" data-testid="sandbox-checklist">
        {checklist.items.map((it) => (
          <li key={it.key} data-testid="sandbox-item" data-key={it.key} data-ok={String(it.ok)}>
            <strong>{it.ok ? t('sandbox.pass') : t('sandbox.fail')}</strong> {it.title} <span class="muted">— {it.detail}</span>
            {!it.ok && !!it.guidance?.length && (
              <ul>
                {it.guidance.map((g, i) => (
                  <li key={i}>{g}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <Notice kind="error">{error}</Notice>
      <button type="button" class="button button-primary" disabled={busy} onClick={() => void goLive()} data-testid="sandbox-go-live">
        {t('sandbox.goLive')}
      </button>
      {!checklist.ready && <p class="muted">{t('sandbox.notReady')}</p>}
    </section>
  );
}

const EMPTY: Simulation = { channel: 'email', from: '', name: '', subject: '', body: '' };

function Simulate({ onDone }: { onDone: () => Promise<void> }) {
  const [sim, setSim] = useState<Simulation>(EMPTY);
  const [error, setError] = useState('');
  const [made, setMade] = useState('');
  const set = (k: keyof Simulation) => (e: Event) => setSim({ ...sim, [k]: (e.currentTarget as HTMLInputElement).value });
  const send = async (e: Event) => {
    e.preventDefault();
    try {
      const got = await sandboxApi.simulate(sim);
      setMade(got.conversation_id);
      setError('');
      setSim({ ...EMPTY, channel: sim.channel });
    } catch (err) {
      setError(errorMessage(err));
    }
    await onDone();
  };
  return (
    <section class="panel" aria-labelledby="sandbox-simulate-title" data-testid="sandbox-simulate">
      <h2 id="sandbox-simulate-title">{t('sandbox.simulate')}</h2>
      <p class="muted">{t('sandbox.simulateIntro')}</p>
      <form class="form" onSubmit={(e) => void send(e)}>
        <label>
          {t('sandbox.channel')}
          <select value={sim.channel} onChange={set('channel')} data-testid="sim-channel">
            <option value="email">{t('sandbox.channelEmail')}</option>
            <option value="sms">{t('sandbox.channelSms')}</option>
            <option value="webchat">{t('sandbox.channelChat')}</option>
          </select>
        </label>
        <label>
          {sim.channel === 'sms' ? t('sandbox.fromPhone') : t('sandbox.fromEmail')}
          <input value={sim.from} onInput={set('from')} required={sim.channel !== 'webchat'} data-testid="sim-from" />
        </label>
        <label>
          {t('sandbox.name')}
          <input value={sim.name} onInput={set('name')} data-testid="sim-name" />
        </label>
        {sim.channel === 'email' && (
          <label>
            {t('sandbox.subject')}
            <input value={sim.subject} onInput={set('subject')} data-testid="sim-subject" />
          </label>
        )}
        <label>
          {t('sandbox.body')}
          <textarea value={sim.body} onInput={set('body')} required rows={3} data-testid="sim-body" />
        </label>
        <Notice kind="error">{error}</Notice>
        <button type="submit" class="button button-primary" data-testid="sim-send">
          {t('sandbox.simulateSend')}
        </button>
      </form>
      {made && (
        <p class="notice notice-info" data-testid="sim-done">
          {t('sandbox.simulated')} <Link href={`/desktop/c/${encodeURIComponent(made)}`}>{t('sandbox.openConversation')}</Link>
        </p>
      )}
    </section>
  );
}

function Copies({ status, onDone }: { status: SandboxStatus; onDone: () => Promise<void> }) {
  const [error, setError] = useState('');
  const [made, setMade] = useState('');
  const copy = async () => {
    try {
      const c = await sandboxApi.openCopy();
      setMade(c.tenant.slug);
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
    await onDone();
  };
  return (
    <section class="panel" aria-labelledby="sandbox-copies-title">
      <h2 id="sandbox-copies-title">{t('sandbox.copies')}</h2>
      <p class="muted">{t('sandbox.copiesIntro', { count: status.copies.length })}</p>
      <Notice kind="error">{error}</Notice>
      <button type="button" class="button" onClick={() => void copy()} data-testid="sandbox-copy">
        {t('sandbox.openCopy')}
      </button>
      {made && (
        <p class="notice notice-info" data-testid="sandbox-copied">
          {t('sandbox.copied', { slug: made })}
        </p>
      )}
    </section>
  );
}

function KeptView({ id, onClose }: { id: string; onClose: () => void }) {
  const [m, setMessage] = useState<KeptMessageDetail | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    sandboxApi.message(id).then(setMessage, (err) => setError(errorMessage(err)));
  }, [id]);
  return (
    <section id="sandbox-detail" class="panel" aria-labelledby="sandbox-detail-title" data-testid="sandbox-detail">
      <div class="panel-header">
        <h2 id="sandbox-detail-title">{t('sandbox.messageTitle', { kind: m?.kind ?? '', subject: m?.subject || t('sandbox.noSubject') })}</h2>
        <button type="button" class="button button-quiet" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <Notice kind="error">{error}</Notice>
      {m && (
        <>
          <dl class="facts">
            <dt>{t('sandbox.from')}</dt>
            <dd>{m.from || '—'}</dd>
            <dt>{t('sandbox.to')}</dt>
            <dd style={{ overflowWrap: 'anywhere' }}>{m.to}</dd>
            <dt>{t('sandbox.time')}</dt>
            <dd>{formatDateTime(m.created_at)}</dd>
          </dl>
          {m.body_html && (
            <>
              <h3>{t('sandbox.html')}</h3>
              <iframe
                title={t('sandbox.htmlFrame')}
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerpolicy="no-referrer"
                src={sandboxApi.htmlURL(m.id)}
                style={{ width: '100%', minHeight: '240px', border: '1px solid var(--border, #ccc)', background: '#fff' }}
                data-testid="sandbox-html"
              />
            </>
          )}
          <h3>{t('sandbox.body')}</h3>
          <pre style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="sandbox-body">
            {m.body}
          </pre>
          {Object.keys(m.detail).length > 0 && (
            <details>
              <summary>{t('sandbox.details')}</summary>
              <pre style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{JSON.stringify(m.detail, null, 2)}</pre>
            </details>
          )}
        </>
      )}
    </section>
  );
}
