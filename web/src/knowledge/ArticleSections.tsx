// The parts of an article's page below its content: flags ("flag it" with a
// reason, seen by the owner and publishers, who resolve them), versions (who
// changed it when, a word diff between any two, restore), and the history of
// its states (who moved it when).
//
// Test ids: kb-flags, kb-flag (data-open), kb-flag-reason, kb-flag-submit, kb-flag-resolve, kb-flag-error;
//   kb-versions, kb-version-row (data-version), kb-version-diff, kb-version-restore, kb-diff-from, kb-diff-to,
//   kb-diff (data-from, data-to), kb-diff-field (data-field, data-changed), kb-diff-insert, kb-diff-delete,
//   kb-versions-error; kb-history, kb-history-row (data-from, data-to).
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { knowledgeApi, type Article, type Diff, type Flag, type Transition, type VersionInfo } from '../api/knowledge';
import { useConfirm } from '../components/ConfirmDialog';
import { Notice } from '../components/Notice';
import { formatDateTime, t, tMaybe } from '../i18n';
import { useSession } from '../session';
import { isPublisher } from './logic';
import { useUserNames } from './users';

/** FlagsSection lists an article's flags and lets anyone flag it. */
export function FlagsSection({ article, rev, onChange }: { article: Article; rev: number; onChange: () => void }) {
  const { session } = useSession();
  const names = useUserNames();
  const [flags, setFlags] = useState<Flag[]>([]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const mayResolve = isPublisher(session.user) || article.owner_id === session.user.id;

  useEffect(() => {
    knowledgeApi.flags(article.id).then((r) => setFlags(r.items ?? []), (err) => setError(errorMessage(err)));
  }, [article.id, rev]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!reason.trim() || busy) return;
    setBusy(true);
    setError('');
    try {
      await knowledgeApi.flag(article.id, reason.trim());
      setReason('');
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const resolve = async (f: Flag) => {
    setError('');
    try {
      await knowledgeApi.resolveFlag(f.id);
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <section class="panel" aria-labelledby="kb-flags-title" data-testid="kb-flags">
      <h2 id="kb-flags-title">{t('kb.flagsHeading')}</h2>
      <p class="muted small">{t('kb.flagsHint')}</p>
      {flags.length === 0 ? <p class="muted">{t('kb.flag.noneHere')}</p> : (
        <ul class="kb-plain">
          {flags.map((f) => (
            <li key={f.id} data-testid="kb-flag" data-open={f.resolved_at ? 'false' : 'true'} class={f.resolved_at ? 'kb-flag is-resolved' : 'kb-flag'}>
              <span class="kb-reason">{f.reason}</span>{' '}
              <span class="muted small">— {names(f.by_id)}, {formatDateTime(f.created_at)}</span>{' '}
              {f.resolved_at ? (
                <span class="badge badge-succeeded">{t('kb.flag.resolvedBy', { name: names(f.resolved_by), when: formatDateTime(f.resolved_at) })}</span>
              ) : mayResolve && (
                <button type="button" class="button button-small" data-testid="kb-flag-resolve" onClick={() => void resolve(f)}>{t('kb.flag.resolve')}</button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form class="kb-flag-form" onSubmit={submit}>
        <div class="field">
          <label for="kb-flag-reason">{t('kb.flag.reasonLabel')}</label>
          <input id="kb-flag-reason" value={reason} maxLength={1000} data-testid="kb-flag-reason" aria-describedby="kb-flag-reason-hint"
            onInput={(e) => setReason(e.currentTarget.value)} />
          <p id="kb-flag-reason-hint" class="hint">{t('kb.flag.reasonHint')}</p>
        </div>
        <button type="submit" class="button" disabled={busy || !reason.trim()} data-testid="kb-flag-submit">{t('kb.flag.submit')}</button>
      </form>
      <Notice kind="error" testId="kb-flag-error">{error}</Notice>
    </section>
  );
}

/** VersionsSection lists the versions, shows a diff between two and restores one. */
export function VersionsSection({ article, rev, mayRestore, onRestored }: { article: Article; rev: number; mayRestore: boolean; onRestored: (a: Article) => void }) {
  const names = useUserNames();
  const confirm = useConfirm();
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  const [pair, setPair] = useState<[number, number] | null>(null);
  const [diff, setDiff] = useState<Diff | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    knowledgeApi.versions(article.id).then((r) => setVersions(r.items ?? []), (err) => setError(errorMessage(err)));
  }, [article.id, rev]);

  useEffect(() => {
    setDiff(null);
    if (!pair) return;
    let live = true;
    knowledgeApi.diff(article.id, pair[0], pair[1]).then((d) => live && setDiff(d), (err) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [article.id, pair?.[0], pair?.[1]]);

  const restore = async (v: number) => {
    if (!(await confirm.ask(t('kb.restoreConfirm', { version: v }), t('kb.restore')))) return;
    setError('');
    try {
      onRestored(await knowledgeApi.restore(article.id, v));
      setPair(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const numbers = versions.map((v) => v.version);
  return (
    <section class="panel" aria-labelledby="kb-versions-title" data-testid="kb-versions">
      <h2 id="kb-versions-title">{t('kb.versions')}</h2>
      {confirm.element}
      <Notice kind="error" testId="kb-versions-error">{error}</Notice>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('kb.version')}</th>
              <th scope="col">{t('kb.author')}</th>
              <th scope="col">{t('kb.when')}</th>
              <th scope="col" class="hide-narrow">{t('kb.note')}</th>
              <th scope="col"><span class="visually-hidden">{t('common.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version} data-testid="kb-version-row" data-version={v.version}>
                <td>{v.version}{v.version === article.version && <> <span class="badge badge-muted">{t('kb.current')}</span></>}</td>
                <td>{names(v.author_id)}</td>
                <td>{formatDateTime(v.created_at)}</td>
                <td class="hide-narrow">{v.note || t('common.none')}</td>
                <td class="cell-actions">
                  {v.version > 1 && (
                    <button type="button" class="button button-small" data-testid="kb-version-diff" aria-label={t('kb.changesIn', { version: v.version })}
                      onClick={() => setPair([v.version - 1, v.version])}>{t('kb.changes')}</button>
                  )}
                  {mayRestore && v.version !== article.version && (
                    <button type="button" class="button button-small" data-testid="kb-version-restore" aria-label={t('kb.restoreN', { version: v.version })}
                      onClick={() => void restore(v.version)}>{t('kb.restore')}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {numbers.length > 1 && (
        <div class="kb-diff-pick">
          <label for="kb-diff-from">{t('kb.diffFrom')}</label>
          <select id="kb-diff-from" data-testid="kb-diff-from" value={pair?.[0] ?? ''} onChange={(e) => setPair([Number(e.currentTarget.value), pair?.[1] ?? article.version])}>
            <option value="" disabled>{t('kb.pick')}</option>
            {numbers.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
          <label for="kb-diff-to">{t('kb.diffTo')}</label>
          <select id="kb-diff-to" data-testid="kb-diff-to" value={pair?.[1] ?? ''} onChange={(e) => setPair([pair?.[0] ?? 1, Number(e.currentTarget.value)])}>
            <option value="" disabled>{t('kb.pick')}</option>
            {numbers.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </div>
      )}
      {diff && <DiffView diff={diff} />}
    </section>
  );
}

/** DiffView shows what changed between two versions, field by field, word by word. */
function DiffView({ diff }: { diff: Diff }) {
  const changed = diff.fields.filter((f) => f.changed);
  return (
    <div class="kb-diff" data-testid="kb-diff" data-from={diff.from} data-to={diff.to} aria-live="polite">
      <h3>{t('kb.diffTitle', { from: diff.from, to: diff.to })}</h3>
      {changed.length === 0 && <p class="muted">{t('kb.diffNone')}</p>}
      {changed.map((f) => (
        <div key={f.field} class="kb-diff-field" data-testid="kb-diff-field" data-field={f.field} data-changed="true">
          <h4>{tMaybe(`kb.field.${f.field === 'queue_ids' ? 'queues' : f.field}`, f.field)}</h4>
          <p class="kb-diff-text">
            {f.ops.map((o, i) =>
              o.op === 'insert' ? <ins key={i} data-testid="kb-diff-insert"><span class="visually-hidden">{t('kb.diffAdded')} </span>{o.text}</ins>
              : o.op === 'delete' ? <del key={i} data-testid="kb-diff-delete"><span class="visually-hidden">{t('kb.diffRemoved')} </span>{o.text}</del>
              : <span key={i}>{o.text}</span>)}
          </p>
        </div>
      ))}
    </div>
  );
}

/** HistorySection lists who moved the article between states, and when. */
export function HistorySection({ articleId, rev }: { articleId: string; rev: number }) {
  const names = useUserNames();
  const [items, setItems] = useState<Transition[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    knowledgeApi.history(articleId).then((r) => setItems(r.items ?? []), (err) => setError(errorMessage(err)));
  }, [articleId, rev]);
  return (
    <section class="panel" aria-labelledby="kb-history-title" data-testid="kb-history">
      <h2 id="kb-history-title">{t('kb.history')}</h2>
      <Notice kind="error">{error}</Notice>
      <ol class="kb-plain">
        {items.map((h, i) => (
          <li key={i} data-testid="kb-history-row" data-from={h.from} data-to={h.to}>
            {h.from
              ? t('kb.historyMove', { from: tMaybe(`kb.state.${h.from}`, h.from), to: tMaybe(`kb.state.${h.to}`, h.to), name: names(h.by_id) })
              : t('kb.historyCreated', { to: tMaybe(`kb.state.${h.to}`, h.to), name: names(h.by_id) })}{' '}
            <span class="muted small">{formatDateTime(h.at)}</span>
            {h.note && <span class="muted small"> — {h.note}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
