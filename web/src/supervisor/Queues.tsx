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
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { NumberField, RowsField, SelectField, TextField } from '../components/admin/fields';
import { num, splitList, useLoaded } from '../components/admin/form';
import { t, tMaybe } from '../i18n';
import type { User } from '../types';
import { AdminPage } from './AdminNav';
import { draftsOf, StepsEditor, stepsOf, type StepDraft } from './StepsEditor';

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
  const users = useLoaded(supervisorApi.users);
  const calName = new Map(calendars.items.map((c) => [c.id, c.name]));
  const polName = new Map(policies.items.map((p) => [p.id, p.name]));

  return (
    <AdminPage title="admin.queues.title" intro="admin.queues.intro" testId="queues-page">
      <AdminList
        prefix="queue"
        title={t('admin.queues.list')}
        newLabel={t('admin.queues.new')}
        empty={t('admin.queues.empty')}
        list={queues}
        order={(a, b) => a.name.localeCompare(b.name)}
        // One default queue: saving a new default takes it from the others.
        merge={(items, q) => [...items.filter((x) => x.id !== q.id).map((x) => (q.default ? { ...x, default: false } : x)), q]}
        name={(q) => q.name}
        deleteQuestion={(q) => t('admin.queues.deleteConfirm', { name: q.name })}
        remove={(q) => supervisorApi.deleteQueue(q.id)}
        columns={[
          {
            label: t('admin.name'),
            main: true,
            cell: (q) => (
              <>
                {q.name} {q.default && <span class="badge badge-succeeded">{t('admin.queues.default')}</span>}{' '}
                {q.auto_assign && <span class="badge badge-muted">{t('admin.queues.autoAssignShort')}</span>}
                {q.criteria?.length ? <span class="badge badge-muted">{t('steps.title')}</span> : null}
              </>
            ),
          },
          { label: t('admin.queues.strategy'), cell: (q) => tMaybe(`admin.strategy.${q.strategy}`, q.strategy) },
          { label: t('admin.queues.skills'), narrow: true, cell: (q) => q.skills.join(', ') || t('common.none') },
          { label: t('admin.queues.channels'), narrow: true, cell: (q) => q.channels.join(', ') || t('common.none') },
          { label: t('admin.queues.sla'), cell: (q) => polName.get(q.sla_policy_id) ?? t('common.none') },
          { label: t('admin.queues.calendar'), narrow: true, cell: (q) => calName.get(q.calendar_id) ?? t('admin.queues.alwaysOpen') },
        ]}
        form={(slot) => (
          <QueueForm {...slot} queues={queues.items} calendars={calendars.items} policies={policies.items} channels={channels.items} users={users.items} />
        )}
      />
    </AdminPage>
  );
}

interface FormProps extends FormSlot<Queue> {
  queues: Queue[];
  calendars: Calendar[];
  policies: SLAPolicy[];
  channels: ChannelInfo[];
  users: User[];
}

function QueueForm({ item: queue, queues, calendars, policies, channels, users, onCancel, onSaved }: FormProps) {
  const [v, setV] = useState<QueueInput>(() => (queue ? toInput(queue) : { ...BLANK }));
  const [skills, setSkills] = useState(() => v.skills.join(', '));
  const [steps, setSteps] = useState<StepDraft[]>(() => draftsOf(queue?.criteria));
  const save = useSave(onSaved);
  const set = (patch: Partial<QueueInput>) => setV((old) => ({ ...old, ...patch }));

  const submit = () => {
    const body: QueueInput = { ...v, name: v.name.trim(), skills: splitList(skills), criteria: stepsOf(steps) };
    void save.run(body, (key) => (queue ? supervisorApi.updateQueue(queue.id, body) : supervisorApi.createQueue(body, key)));
  };

  const others = queues.filter((q) => q.id !== queue?.id);
  const fe = save.fe;

  return (
    <AdminForm prefix="queue" first="queue-name" title={queue ? t('admin.queues.editTitle', { name: queue.name }) : t('admin.queues.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <div class="admin-grid">
        <TextField id="queue-name" testId="queue-name" required label={t('admin.name')} hint={t('admin.queues.nameHint')} error={fe('name')} value={v.name} onValue={(name) => set({ name })} />
        <SelectField
          id="queue-strategy"
          testId="queue-strategy"
          label={t('admin.queues.strategy')}
          hint={tMaybe(`admin.strategyHint.${v.strategy}`, '')}
          error={fe('strategy')}
          value={v.strategy}
          onValue={(s) => set({ strategy: s as QueueInput['strategy'] })}
          options={STRATEGIES.map((s) => [s, tMaybe(`admin.strategy.${s}`, s)] as const)}
        />
        <TextField id="queue-skills" label={t('admin.queues.skills')} hint={t('admin.queues.skillsHint')} error={fe('skills')} value={skills} onValue={setSkills} />
        <SelectField
          id="queue-priority"
          label={t('admin.queues.priority')}
          hint={t('admin.queues.priorityHint')}
          error={fe('priority')}
          value={String(v.priority)}
          onValue={(p) => set({ priority: num(p) })}
          options={[0, 1, 2, 3].map((p) => [String(p), tMaybe(`admin.priority.${p}`, String(p))] as const)}
        />
        <NumberField
          id="queue-offer-timeout"
          min={0}
          label={t('admin.queues.offerTimeout')}
          hint={t('admin.queues.offerTimeoutHint')}
          error={fe('offer_timeout_seconds')}
          value={v.offer_timeout_seconds}
          onValue={(n) => set({ offer_timeout_seconds: n })}
        />
        <NumberField
          id="queue-last-agent"
          min={0}
          label={t('admin.queues.lastAgent')}
          hint={t('admin.queues.lastAgentHint')}
          error={fe('last_agent_timeout_seconds')}
          value={v.last_agent_timeout_seconds}
          onValue={(n) => set({ last_agent_timeout_seconds: n })}
        />
        <SelectField
          id="queue-calendar"
          label={t('admin.queues.calendar')}
          hint={t('admin.queues.calendarHint')}
          error={fe('calendar_id')}
          value={v.calendar_id}
          onValue={(calendar_id) => set({ calendar_id })}
          options={calendars.map((c) => [c.id, c.name] as const)}
        >
          <option value="">{t('admin.queues.alwaysOpen')}</option>
        </SelectField>
        <SelectField
          id="queue-sla"
          label={t('admin.queues.sla')}
          hint={t('admin.queues.slaHint')}
          error={fe('sla_policy_id')}
          value={v.sla_policy_id}
          onValue={(sla_policy_id) => set({ sla_policy_id })}
          options={policies.map((p) => [p.id, p.name] as const)}
        >
          <option value="">{t('admin.none')}</option>
        </SelectField>
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
        <RowsField
          legend={t('admin.queues.widening')}
          hint={t('admin.queues.wideningHint')}
          rows={v.widening}
          onRows={(widening) => set({ widening })}
          addLabel={t('admin.queues.addStep')}
          blank={(rows) => {
            const last = rows[rows.length - 1];
            return { after_seconds: last ? last.after_seconds + 30 : 0, min_level: last ? Math.max(0, last.min_level - 2) : 4 };
          }}
          error={fe('widening')}
          row={(w, i, patch) => (
            <>
              <label class="admin-inline-label" for={`widen-after-${i}`}>
                {t('admin.queues.afterSeconds')}
              </label>
              <input id={`widen-after-${i}`} type="number" min={0} value={w.after_seconds} onInput={(e) => patch({ after_seconds: num(e.currentTarget.value) })} />
              <label class="admin-inline-label" for={`widen-level-${i}`}>
                {t('admin.queues.minLevel')}
              </label>
              <select id={`widen-level-${i}`} value={String(w.min_level)} onChange={(e) => patch({ min_level: num(e.currentTarget.value) })}>
                {[0, 1, 2, 3, 4, 5].map((l) => (
                  <option key={l} value={l}>
                    {l === 0 ? t('admin.queues.anyMember') : l}
                  </option>
                ))}
              </select>
            </>
          )}
        />
      )}

      <RowsField
        legend={t('admin.queues.overflow')}
        hint={t('admin.queues.overflowHint')}
        rows={v.overflow}
        onRows={(overflow) => set({ overflow })}
        addLabel={t('admin.queues.addOverflow')}
        addDisabled={others.length === 0}
        blank={() => ({ after_seconds: 120, to: others[0]?.id ?? '' })}
        error={fe('overflow')}
        row={(o, i, patch) => (
          <>
            <label class="admin-inline-label" for={`overflow-after-${i}`}>
              {t('admin.queues.afterSeconds')}
            </label>
            <input id={`overflow-after-${i}`} type="number" min={1} value={o.after_seconds} onInput={(e) => patch({ after_seconds: num(e.currentTarget.value) })} />
            <label class="admin-inline-label" for={`overflow-to-${i}`}>
              {t('admin.queues.moveTo')}
            </label>
            <select id={`overflow-to-${i}`} value={o.to} onChange={(e) => patch({ to: e.currentTarget.value })}>
              <option value="">{t('wall.pickQueue')}</option>
              {others.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
          </>
        )}
      />

      <fieldset class="field" data-testid="queue-criteria">
        <legend>{t('steps.queueTitle')}</legend>
        <p class="hint">{t('steps.queueHint')}</p>
        <StepsEditor prefix="queue" steps={steps} onSteps={setSteps} users={users} fe={fe} field="criteria" />
      </fieldset>
    </AdminForm>
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
    criteria: input.criteria ?? [],
  };
}
