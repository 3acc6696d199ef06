// /admin/listening: the workspace's listening rules — which public posts on
// Mastodon become conversations, with what priority, in which queue
// (docs/listening.md).
//
// Test ids: listening-page, rule-new, rule-row (data-name), rule-edit,
// rule-delete, rule-form, rule-name, rule-keywords, rule-hashtags,
// rule-mentions, rule-languages, rule-followers, rule-sentiment,
// rule-priority, rule-queue, rule-enabled, rule-save, rule-error.
import { useState } from 'preact/hooks';
import { listeningApi, type ListeningRule, type ListeningRuleInput } from '../api/listening';
import { supervisorApi } from '../api/supervisor';
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t, type MessageKey } from '../i18n';
import { AdminPage } from './AdminNav';
import { Field, fieldError, Problem, RowActions, splitList, useDelete, useFocusOnOpen, useLoaded, useReturnFocus } from './form';

const priorityName = (p: number) => t(`conv.priority.${p}` as MessageKey);

/** ListeningPage is /admin/listening. */
export function ListeningPage() {
  const rules = useLoaded(listeningApi.rules);
  const queues = useLoaded(supervisorApi.queues);
  const del = useDelete();
  const [editing, setEditing] = useState<ListeningRule | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=rule-new]');

  return (
    <AdminPage title="listening.title" intro="listening.intro" testId="listening-page">
      <section class="panel" aria-labelledby="rules-title">
        <div class="panel-header">
          <h2 id="rules-title">{t('listening.list')}</h2>
          <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="rule-new">
            {t('listening.new')}
          </button>
        </div>
        <Notice kind="success">{del.notice}</Notice>
        <Notice kind="error">{del.error || rules.error}</Notice>
        {editing && (
          <RuleForm
            rule={editing === 'new' ? null : editing}
            queues={queues.items}
            onCancel={() => setEditing(null)}
            onSaved={(r) => {
              rules.setItems((items) => [...items.filter((x) => x.id !== r.id), r]);
              setEditing(null);
              del.setNotice(t('admin.saved'));
            }}
          />
        )}
        {!rules.loading && rules.items.length === 0 && <p class="muted">{t('listening.empty')}</p>}
        {rules.items.map((r) => (
          <article key={r.id} class="admin-card" data-testid="rule-row" data-name={r.name}>
            <h3>
              {r.name} <span class="badge badge-muted">{priorityName(r.priority)}</span>
              {!r.enabled && <span class="badge badge-muted"> {t('listening.disabled')}</span>}
            </h3>
            <p class="small">
              {[...r.hashtags.map((h) => `#${h}`), ...r.mentions.map((m) => `@${m}`), ...r.keywords.map((k) => `“${k}”`)].join(', ')}
              {r.queue ? ` → ${r.queue}` : ''}
            </p>
            <RowActions
              onEdit={() => setEditing(r)}
              editTestId="rule-edit"
              del={del}
              id={r.id}
              name={r.name}
              testId="rule-delete"
              question={t('listening.deleteConfirm', { name: r.name })}
              remove={() => listeningApi.remove(r.id)}
              after={() => rules.setItems((items) => items.filter((x) => x.id !== r.id))}
            />
          </article>
        ))}
      </section>
      {del.element}
    </AdminPage>
  );
}

interface RuleFormProps {
  rule: ListeningRule | null;
  queues: { id: string; name: string }[];
  onCancel: () => void;
  onSaved: (r: ListeningRule) => void;
}

function RuleForm({ rule, queues, onCancel, onSaved }: RuleFormProps) {
  const idem = useIdempotencyKey();
  const [name, setName] = useState(rule?.name ?? '');
  const [keywords, setKeywords] = useState((rule?.keywords ?? []).join(', '));
  const [hashtags, setHashtags] = useState((rule?.hashtags ?? []).join(', '));
  const [mentions, setMentions] = useState((rule?.mentions ?? []).join(', '));
  const [languages, setLanguages] = useState((rule?.languages ?? []).join(', '));
  const [followers, setFollowers] = useState(String(rule?.min_followers ?? 0));
  const [sentiment, setSentiment] = useState(rule?.max_sentiment === undefined ? '' : String(rule.max_sentiment));
  const [priority, setPriority] = useState(rule?.priority ?? 1);
  const [queue, setQueue] = useState(rule?.queue ?? '');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('rule-name');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: ListeningRuleInput = {
      name: name.trim(),
      keywords: splitList(keywords),
      hashtags: splitList(hashtags),
      mentions: splitList(mentions),
      languages: splitList(languages),
      min_followers: Number(followers) || 0,
      max_sentiment: sentiment.trim() === '' ? null : Number(sentiment),
      priority,
      queue,
      enabled,
    };
    setBusy(true);
    setError(null);
    try {
      const saved = rule ? await listeningApi.update(rule.id, body) : await listeningApi.create(body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const text = (id: string, label: string, hint: string | undefined, field: string, value: string, set: (v: string) => void, testId: string) => (
    <Field id={id} label={label} hint={hint} error={fe(field)}>
      <input id={id} value={value} onInput={(e) => set(e.currentTarget.value)} aria-invalid={fe(field) ? true : undefined} aria-describedby={`${id}-hint`} data-testid={testId} />
    </Field>
  );

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="rule-form" aria-labelledby="rule-form-title">
      <h3 id="rule-form-title">{rule ? t('listening.editTitle', { name: rule.name }) : t('listening.new')}</h3>
      {text('rule-name', t('admin.name'), undefined, 'name', name, setName, 'rule-name')}
      {text('rule-hashtags', t('listening.hashtags'), t('listening.hashtagsHint'), 'hashtags', hashtags, setHashtags, 'rule-hashtags')}
      {text('rule-keywords', t('listening.keywords'), t('listening.keywordsHint'), 'keywords', keywords, setKeywords, 'rule-keywords')}
      {text('rule-mentions', t('listening.mentions'), t('listening.mentionsHint'), 'mentions', mentions, setMentions, 'rule-mentions')}
      {text('rule-languages', t('listening.languages'), t('listening.languagesHint'), 'languages', languages, setLanguages, 'rule-languages')}
      <Field id="rule-followers" label={t('listening.minFollowers')} error={fe('min_followers')}>
        <input id="rule-followers" type="number" min={0} value={followers} onInput={(e) => setFollowers(e.currentTarget.value)} aria-describedby="rule-followers-hint" data-testid="rule-followers" />
      </Field>
      <Field id="rule-sentiment" label={t('listening.maxSentiment')} hint={t('listening.maxSentimentHint')} error={fe('max_sentiment')}>
        <input id="rule-sentiment" type="number" min={-1} max={1} step={0.1} value={sentiment} onInput={(e) => setSentiment(e.currentTarget.value)} aria-describedby="rule-sentiment-hint" data-testid="rule-sentiment" />
      </Field>
      <Field id="rule-priority" label={t('listening.priority')} error={fe('priority')}>
        <select id="rule-priority" value={String(priority)} onChange={(e) => setPriority(Number(e.currentTarget.value))} aria-describedby="rule-priority-hint" data-testid="rule-priority">
          {[0, 1, 2, 3].map((p) => (
            <option key={p} value={String(p)}>
              {priorityName(p)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="rule-queue" label={t('listening.queue')} error={fe('queue')}>
        <select id="rule-queue" value={queue} onChange={(e) => setQueue(e.currentTarget.value)} aria-describedby="rule-queue-hint" data-testid="rule-queue">
          <option value="">{t('listening.queueNone')}</option>
          {queues.map((q) => (
            <option key={q.id} value={q.name}>
              {q.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="rule-enabled" label={t('listening.enabled')} error={fe('enabled')}>
        <input id="rule-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} aria-describedby="rule-enabled-hint" data-testid="rule-enabled" />
      </Field>
      <Problem error={error} testId="rule-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="rule-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
