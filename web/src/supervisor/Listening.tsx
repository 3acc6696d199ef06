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
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { CheckField, SelectField, TextField } from '../components/admin/fields';
import { splitList, useLoaded } from '../components/admin/form';
import { t, type MessageKey } from '../i18n';
import { AdminPage } from './AdminNav';

const priorityName = (p: number) => t(`conv.priority.${p}` as MessageKey);

/** ListeningPage is /admin/listening. */
export function ListeningPage() {
  const rules = useLoaded(listeningApi.rules);
  const queues = useLoaded(supervisorApi.queues);
  return (
    <AdminPage title="listening.title" intro="listening.intro" testId="listening-page">
      <AdminList
        prefix="rule"
        title={t('listening.list')}
        newLabel={t('listening.new')}
        empty={t('listening.empty')}
        list={rules}
        name={(r) => r.name}
        deleteQuestion={(r) => t('listening.deleteConfirm', { name: r.name })}
        remove={(r) => listeningApi.remove(r.id)}
        card={(r) => (
          <>
            <h3>
              {r.name} <span class="badge badge-muted">{priorityName(r.priority)}</span>
              {!r.enabled && <span class="badge badge-muted"> {t('listening.disabled')}</span>}
            </h3>
            <p class="small">
              {[...r.hashtags.map((h) => `#${h}`), ...r.mentions.map((m) => `@${m}`), ...r.keywords.map((k) => `“${k}”`)].join(', ')}
              {r.queue ? ` → ${r.queue}` : ''}
            </p>
          </>
        )}
        form={(slot) => <RuleForm {...slot} queues={queues.items} />}
      />
    </AdminPage>
  );
}

function RuleForm({ item: rule, queues, onCancel, onSaved }: FormSlot<ListeningRule> & { queues: { id: string; name: string }[] }) {
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
  const save = useSave(onSaved);
  const fe = save.fe;

  const submit = () => {
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
    void save.run(body, (key) => (rule ? listeningApi.update(rule.id, body) : listeningApi.create(body, key)));
  };

  const text = (id: string, label: string, hint: string | undefined, field: string, value: string, set: (v: string) => void) => (
    <TextField id={id} testId={id} label={label} hint={hint} error={fe(field)} value={value} onValue={set} />
  );

  return (
    <AdminForm prefix="rule" first="rule-name" title={rule ? t('listening.editTitle', { name: rule.name }) : t('listening.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      {text('rule-name', t('admin.name'), undefined, 'name', name, setName)}
      {text('rule-hashtags', t('listening.hashtags'), t('listening.hashtagsHint'), 'hashtags', hashtags, setHashtags)}
      {text('rule-keywords', t('listening.keywords'), t('listening.keywordsHint'), 'keywords', keywords, setKeywords)}
      {text('rule-mentions', t('listening.mentions'), t('listening.mentionsHint'), 'mentions', mentions, setMentions)}
      {text('rule-languages', t('listening.languages'), t('listening.languagesHint'), 'languages', languages, setLanguages)}
      <TextField id="rule-followers" testId="rule-followers" type="number" min={0} label={t('listening.minFollowers')} error={fe('min_followers')} value={followers} onValue={setFollowers} />
      <TextField
        id="rule-sentiment"
        testId="rule-sentiment"
        type="number"
        min={-1}
        max={1}
        step={0.1}
        label={t('listening.maxSentiment')}
        hint={t('listening.maxSentimentHint')}
        error={fe('max_sentiment')}
        value={sentiment}
        onValue={setSentiment}
      />
      <SelectField
        id="rule-priority"
        testId="rule-priority"
        label={t('listening.priority')}
        error={fe('priority')}
        value={String(priority)}
        onValue={(p) => setPriority(Number(p))}
        options={[0, 1, 2, 3].map((p) => [String(p), priorityName(p)] as const)}
      />
      <SelectField id="rule-queue" testId="rule-queue" label={t('listening.queue')} error={fe('queue')} value={queue} onValue={setQueue} options={queues.map((q) => [q.name, q.name] as const)}>
        <option value="">{t('listening.queueNone')}</option>
      </SelectField>
      <CheckField id="rule-enabled" testId="rule-enabled" label={t('listening.enabled')} error={fe('enabled')} checked={enabled} onValue={setEnabled} />
    </AdminForm>
  );
}
