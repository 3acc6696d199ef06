// /admin/queues: the routing queues, created and edited in full (strategy,
// skills and widening, priority, timeouts, auto-assign, overflow, hours, SLA,
// channels, default).
//
// Test ids: queues-page, queue-new, queue-row (data-name), queue-edit,
// queue-delete, queue-form, queue-name, queue-strategy, queue-save, queue-error.
import { useState } from 'preact/hooks';
import {
  STRATEGIES,
  supervisorApi,
  type Calendar,
  type ChannelInfo,
  type Queue,
  type QueueInput,
  type SLAPolicy,
} from '../api/supervisor';
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t, tMaybe } from '../i18n';
import { AdminPage } from './AdminNav';
import { Field, fieldError, useFocusOnOpen, num, Problem, splitList, useDelete, useLoaded, useReturnFocus, DeleteButton } from '../components/admin/form';

const BLANK: QueueInput = {
  name: '',
  skills: [],
  priority: 0,
  strategy: 'longest_idle',
  widening: [],
  offer_timeout_seconds: 30,
  last_agent_timeout_seconds: 60,
  auto_assign: false,
  overflow: [],
  calendar_id: '',
  sla_policy_id: '',
  channels: [],
  default: false,
};

/** QueuesPage is /admin/queues. */
export function QueuesPage() {
  const queues = useLoaded(supervisorApi.queues);
  const calendars = useLoaded(supervisorApi.calendars);
  const policies = useLoaded(supervisorApi.slaPolicies);
  const channels = useLoaded(supervisorApi.channels);
  const del = useDelete();
  const [editing, setEditing] = useState<Queue | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=queue-new]');

  const calName = new Map(calendars.items.map((c) => [c.id, c.name]));
  const polName = new Map(policies.items.map((p) => [p.id, p.name]));

  return (
    <AdminPage title="admin.queues.title" intro="admin.queues.intro" testId="queues-page">
      <section class="panel" aria-labelledby="queues-list-title">
        <div class="panel-header">
          <h2 id="queues-list-title">{t('admin.queues.list')}</h2>
          <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="queue-new">
            {t('admin.queues.new')}
          </button>
        </div>
        <Notice kind="success">{del.notice}</Notice>
        <Notice kind="error">{del.error || queues.error}</Notice>
        {editing && (
          <QueueForm
            queue={editing === 'new' ? null : editing}
            queues={queues.items}
            calendars={calendars.items}
            policies={policies.items}
            channels={channels.items}
            onCancel={() => setEditing(null)}
            onSaved={(q) => {
              queues.setItems((items) => {
                const rest = items.filter((x) => x.id !== q.id).map((x) => (q.default ? { ...x, default: false } : x));
                return [...rest, q].sort((a, b) => a.name.localeCompare(b.name));
              });
              setEditing(null);
              del.setNotice(t('admin.saved'));
            }}
          />
        )}
        {!queues.loading && queues.items.length === 0 && <p class="muted">{t('admin.queues.empty')}</p>}
        {queues.items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="queues-table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.name')}</th>
                  <th scope="col">{t('admin.queues.strategy')}</th>
                  <th scope="col" class="hide-narrow">{t('admin.queues.skills')}</th>
                  <th scope="col" class="hide-narrow">{t('admin.queues.channels')}</th>
                  <th scope="col">{t('admin.queues.sla')}</th>
                  <th scope="col" class="hide-narrow">{t('admin.queues.calendar')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {queues.items.map((q) => (
                  <tr key={q.id} data-testid="queue-row" data-name={q.name}>
                    <td class="cell-main">
                      {q.name} {q.default && <span class="badge badge-succeeded">{t('admin.queues.default')}</span>}{' '}
                      {q.auto_assign && <span class="badge badge-muted">{t('admin.queues.autoAssignShort')}</span>}
                    </td>
                    <td>{tMaybe(`admin.strategy.${q.strategy}`, q.strategy)}</td>
                    <td class="hide-narrow">{q.skills.join(', ') || t('common.none')}</td>
                    <td class="hide-narrow">{q.channels.join(', ') || t('common.none')}</td>
                    <td>{polName.get(q.sla_policy_id) ?? t('common.none')}</td>
                    <td class="hide-narrow">{calName.get(q.calendar_id) ?? t('admin.queues.alwaysOpen')}</td>
                    <td class="cell-actions">
                      <button
                        type="button"
                        class="button button-small"
                        onClick={() => setEditing(q)}
                        aria-label={`${t('admin.edit')}: ${q.name}`}
                        data-testid="queue-edit"
                      >
                        {t('admin.edit')}
                      </button>
                      <DeleteButton
                        del={del}
                        id={q.id}
                        name={q.name}
                        testId="queue-delete"
                        question={t('admin.queues.deleteConfirm', { name: q.name })}
                        remove={() => supervisorApi.deleteQueue(q.id)}
                        after={() => queues.setItems((items) => items.filter((x) => x.id !== q.id))}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {del.element}
    </AdminPage>
  );
}

interface FormProps {
  queue: Queue | null;
  queues: Queue[];
  calendars: Calendar[];
  policies: SLAPolicy[];
  channels: ChannelInfo[];
  onCancel: () => void;
  onSaved: (q: Queue) => void;
}

function QueueForm({ queue, queues, calendars, policies, channels, onCancel, onSaved }: FormProps) {
  const idem = useIdempotencyKey();
  const [v, setV] = useState<QueueInput>(() => (queue ? toInput(queue) : { ...BLANK }));
  const [skills, setSkills] = useState(() => v.skills.join(', '));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<QueueInput>) => setV((old) => ({ ...old, ...patch }));
  useFocusOnOpen('queue-name');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const body: QueueInput = { ...v, name: v.name.trim(), skills: splitList(skills) };
    try {
      const saved = queue ? await supervisorApi.updateQueue(queue.id, body) : await supervisorApi.createQueue(body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const others = queues.filter((q) => q.id !== queue?.id);
  const fe = (f: string) => fieldError(error, f);

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="queue-form" aria-labelledby="queue-form-title">
      <h3 id="queue-form-title">{queue ? t('admin.queues.editTitle', { name: queue.name }) : t('admin.queues.new')}</h3>
      <div class="admin-grid">
        <Field id="queue-name" label={t('admin.name')} hint={t('admin.queues.nameHint')} error={fe('name')}>
          <input
            id="queue-name"
            required
            value={v.name}
            onInput={(e) => set({ name: e.currentTarget.value })}
            aria-invalid={fe('name') ? true : undefined}
            aria-describedby="queue-name-hint"
            data-testid="queue-name"
          />
        </Field>
        <Field id="queue-strategy" label={t('admin.queues.strategy')} hint={tMaybe(`admin.strategyHint.${v.strategy}`, '')} error={fe('strategy')}>
          <select
            id="queue-strategy"
            value={v.strategy}
            onChange={(e) => set({ strategy: e.currentTarget.value as QueueInput['strategy'] })}
            aria-describedby="queue-strategy-hint"
            data-testid="queue-strategy"
          >
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {tMaybe(`admin.strategy.${s}`, s)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="queue-skills" label={t('admin.queues.skills')} hint={t('admin.queues.skillsHint')} error={fe('skills')}>
          <input id="queue-skills" value={skills} onInput={(e) => setSkills(e.currentTarget.value)} aria-describedby="queue-skills-hint" />
        </Field>
        <Field id="queue-priority" label={t('admin.queues.priority')} hint={t('admin.queues.priorityHint')} error={fe('priority')}>
          <select id="queue-priority" value={String(v.priority)} onChange={(e) => set({ priority: num(e.currentTarget.value) })} aria-describedby="queue-priority-hint">
            {[0, 1, 2, 3].map((p) => (
              <option key={p} value={p}>
                {tMaybe(`admin.priority.${p}`, String(p))}
              </option>
            ))}
          </select>
        </Field>
        <Field id="queue-offer-timeout" label={t('admin.queues.offerTimeout')} hint={t('admin.queues.offerTimeoutHint')} error={fe('offer_timeout_seconds')}>
          <input
            id="queue-offer-timeout"
            type="number"
            min={0}
            value={v.offer_timeout_seconds}
            onInput={(e) => set({ offer_timeout_seconds: num(e.currentTarget.value) })}
            aria-describedby="queue-offer-timeout-hint"
          />
        </Field>
        <Field id="queue-last-agent" label={t('admin.queues.lastAgent')} hint={t('admin.queues.lastAgentHint')} error={fe('last_agent_timeout_seconds')}>
          <input
            id="queue-last-agent"
            type="number"
            min={0}
            value={v.last_agent_timeout_seconds}
            onInput={(e) => set({ last_agent_timeout_seconds: num(e.currentTarget.value) })}
            aria-describedby="queue-last-agent-hint"
          />
        </Field>
        <Field id="queue-calendar" label={t('admin.queues.calendar')} hint={t('admin.queues.calendarHint')} error={fe('calendar_id')}>
          <select id="queue-calendar" value={v.calendar_id} onChange={(e) => set({ calendar_id: e.currentTarget.value })} aria-describedby="queue-calendar-hint">
            <option value="">{t('admin.queues.alwaysOpen')}</option>
            {calendars.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="queue-sla" label={t('admin.queues.sla')} hint={t('admin.queues.slaHint')} error={fe('sla_policy_id')}>
          <select id="queue-sla" value={v.sla_policy_id} onChange={(e) => set({ sla_policy_id: e.currentTarget.value })} aria-describedby="queue-sla-hint">
            <option value="">{t('admin.none')}</option>
            {policies.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
      </div>

      <div class="field">
        <label class="checkbox">
          <input type="checkbox" checked={v.auto_assign} onChange={(e) => set({ auto_assign: e.currentTarget.checked })} />
          <span>{t('admin.queues.autoAssign')}</span>
        </label>
        <label class="checkbox">
          <input type="checkbox" checked={v.default} onChange={(e) => set({ default: e.currentTarget.checked })} data-testid="queue-default" />
          <span>{t('admin.queues.defaultHint')}</span>
        </label>
        {fe('default') && <p class="field-error">{fe('default')}</p>}
      </div>

      <fieldset class="field checkbox-group">
        <legend>{t('admin.queues.channels')}</legend>
        <p class="hint">{t('admin.queues.channelsHint')}</p>
        <div class="checkbox-grid">
          {channels.map((c) => (
            <label key={c.name} class="checkbox">
              <input
                type="checkbox"
                checked={v.channels.includes(c.name)}
                onChange={(e) =>
                  set({ channels: e.currentTarget.checked ? [...v.channels, c.name] : v.channels.filter((x) => x !== c.name) })
                }
              />
              <span>{tMaybe(`wall.channel.${c.name}`, c.name)}</span>
            </label>
          ))}
        </div>
        {fe('channels') && <p class="field-error">{fe('channels')}</p>}
      </fieldset>

      {v.strategy === 'skills' && (
        <fieldset class="field">
          <legend>{t('admin.queues.widening')}</legend>
          <p class="hint">{t('admin.queues.wideningHint')}</p>
          <div class="admin-rows">
            {v.widening.map((w, i) => (
              <div class="admin-row" key={i}>
                <label class="admin-inline-label" for={`widen-after-${i}`}>
                  {t('admin.queues.afterSeconds')}
                </label>
                <input
                  id={`widen-after-${i}`}
                  type="number"
                  min={0}
                  value={w.after_seconds}
                  onInput={(e) => set({ widening: v.widening.map((x, j) => (j === i ? { ...x, after_seconds: num(e.currentTarget.value) } : x)) })}
                />
                <label class="admin-inline-label" for={`widen-level-${i}`}>
                  {t('admin.queues.minLevel')}
                </label>
                <select
                  id={`widen-level-${i}`}
                  value={String(w.min_level)}
                  onChange={(e) => set({ widening: v.widening.map((x, j) => (j === i ? { ...x, min_level: num(e.currentTarget.value) } : x)) })}
                >
                  {[0, 1, 2, 3, 4, 5].map((l) => (
                    <option key={l} value={l}>
                      {l === 0 ? t('admin.queues.anyMember') : l}
                    </option>
                  ))}
                </select>
                <button type="button" class="button button-small button-quiet" onClick={() => set({ widening: v.widening.filter((_, j) => j !== i) })}>
                  {t('admin.remove')}
                </button>
              </div>
            ))}
          </div>
          <button
            type="button"
            class="button button-small"
            onClick={() => {
              const last = v.widening[v.widening.length - 1];
              set({ widening: [...v.widening, { after_seconds: last ? last.after_seconds + 30 : 0, min_level: last ? Math.max(0, last.min_level - 2) : 4 }] });
            }}
          >
            {t('admin.queues.addStep')}
          </button>
          {fe('widening') && <p class="field-error">{fe('widening')}</p>}
        </fieldset>
      )}

      <fieldset class="field">
        <legend>{t('admin.queues.overflow')}</legend>
        <p class="hint">{t('admin.queues.overflowHint')}</p>
        <div class="admin-rows">
          {v.overflow.map((o, i) => (
            <div class="admin-row" key={i}>
              <label class="admin-inline-label" for={`overflow-after-${i}`}>
                {t('admin.queues.afterSeconds')}
              </label>
              <input
                id={`overflow-after-${i}`}
                type="number"
                min={1}
                value={o.after_seconds}
                onInput={(e) => set({ overflow: v.overflow.map((x, j) => (j === i ? { ...x, after_seconds: num(e.currentTarget.value) } : x)) })}
              />
              <label class="admin-inline-label" for={`overflow-to-${i}`}>
                {t('admin.queues.moveTo')}
              </label>
              <select
                id={`overflow-to-${i}`}
                value={o.to}
                onChange={(e) => set({ overflow: v.overflow.map((x, j) => (j === i ? { ...x, to: e.currentTarget.value } : x)) })}
              >
                <option value="">{t('wall.pickQueue')}</option>
                {others.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.name}
                  </option>
                ))}
              </select>
              <button type="button" class="button button-small button-quiet" onClick={() => set({ overflow: v.overflow.filter((_, j) => j !== i) })}>
                {t('admin.remove')}
              </button>
            </div>
          ))}
        </div>
        <button
          type="button"
          class="button button-small"
          disabled={others.length === 0}
          onClick={() => set({ overflow: [...v.overflow, { after_seconds: 120, to: others[0]?.id ?? '' }] })}
        >
          {t('admin.queues.addOverflow')}
        </button>
        {fe('overflow') && <p class="field-error">{fe('overflow')}</p>}
      </fieldset>

      <Problem error={error} testId="queue-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="queue-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function toInput(q: Queue): QueueInput {
  const { id: _id, created_at: _c, updated_at: _u, ...input } = q;
  return {
    ...input,
    skills: input.skills ?? [],
    widening: input.widening ?? [],
    overflow: input.overflow ?? [],
    channels: input.channels ?? [],
  };
}
