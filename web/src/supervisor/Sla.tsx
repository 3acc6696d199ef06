// /admin/sla: SLA policies — targets for first reply, next reply and
// resolution and when to warn (counted in each queue's business hours), and escalations.
//
// Test ids: sla-page, sla-new, sla-row (data-name), sla-edit, sla-delete,
// sla-form, sla-name, sla-first-response, sla-save, sla-error.
import { useState } from 'preact/hooks';
import {
  SLA_TARGETS,
  supervisorApi,
  type Queue,
  type SLAEscalation,
  type SLAPolicy,
  type SLAPolicyInput,
} from '../api/supervisor';
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { NumberField, RowsField, TextField } from '../components/admin/fields';
import { num, useLoaded } from '../components/admin/form';
import { t, tMaybe } from '../i18n';
import { AdminPage } from './AdminNav';

/** shortDuration turns the API's "1h0m0s" into "1h", and "0s" into "". */
export function shortDuration(d: string | undefined): string {
  if (!d || d === '0s') return '';
  return d.replace(/(\d)h0m0s$/, '$1h').replace(/(\d)m0s$/, '$1m').replace(/^0h/, '');
}

/** SlaPage is /admin/sla. */
export function SlaPage() {
  const policies = useLoaded(supervisorApi.slaPolicies);
  const queues = useLoaded(supervisorApi.queues);
  const dash = t('common.none');
  return (
    <AdminPage title="admin.sla.title" intro="admin.sla.intro" testId="sla-page">
      <AdminList
        prefix="sla"
        title={t('admin.sla.list')}
        newLabel={t('admin.sla.new')}
        empty={t('admin.sla.empty')}
        list={policies}
        order={(a, b) => a.name.localeCompare(b.name)}
        name={(p) => p.name}
        deleteQuestion={(p) => t('admin.sla.deleteConfirm', { name: p.name })}
        remove={(p) => supervisorApi.deleteSLAPolicy(p.id)}
        card={(p) => (
          <>
            <h3>{p.name}</h3>
            <dl class="admin-facts small">
              <dt>{t('admin.sla.first_response')}</dt>
              <dd>{shortDuration(p.first_response) || dash}</dd>
              <dt>{t('admin.sla.next_response')}</dt>
              <dd>{shortDuration(p.next_response) || dash}</dd>
              <dt>{t('admin.sla.resolution')}</dt>
              <dd>{shortDuration(p.resolution) || dash}</dd>
              <dt>{t('admin.sla.warnAt')}</dt>
              <dd>{`${Math.round((p.warn_at || 0.8) * 100)}%`}</dd>
              <dt>{t('admin.sla.hours')}</dt>
              <dd>{t('admin.sla.queueHours')}</dd>
              <dt>{t('admin.sla.pending')}</dt>
              <dd>{p.pause_while_pending ? t('admin.sla.pendingPauses') : t('admin.sla.pendingRuns')}</dd>
              <dt>{t('admin.sla.escalations')}</dt>
              <dd>{p.escalations.length ? p.escalations.map((e) => describeEscalation(e, queues.items)).join(' · ') : dash}</dd>
            </dl>
          </>
        )}
        form={(slot) => <PolicyForm {...slot} queues={queues.items} />}
      />
    </AdminPage>
  );
}

function describeEscalation(e: SLAEscalation, queues: Queue[]): string {
  const what: string[] = [];
  if (e.raise_priority) what.push(t('admin.sla.doRaise', { p: tMaybe(`admin.priority.${e.raise_priority}`, String(e.raise_priority)) }));
  if (e.move_to_queue) what.push(t('admin.sla.doMove', { queue: queues.find((q) => q.id === e.move_to_queue)?.name ?? e.move_to_queue }));
  if (e.notify_supervisor) what.push(t('admin.sla.doNotify'));
  return `${tMaybe(`admin.sla.on.${e.on}`, e.on)} ${tMaybe(`admin.sla.${e.target}`, e.target)}: ${what.join(', ') || t('common.none')}`;
}

function PolicyForm({ item: policy, queues, onCancel, onSaved }: FormSlot<SLAPolicy> & { queues: Queue[] }) {
  const [v, setV] = useState<SLAPolicyInput>(() => ({
    name: policy?.name ?? '',
    first_response: shortDuration(policy?.first_response) || (policy ? '' : '1h'),
    next_response: shortDuration(policy?.next_response),
    resolution: shortDuration(policy?.resolution),
    warn_at: policy?.warn_at ?? 0.8,
    escalations: policy?.escalations ?? [],
    pause_while_pending: policy?.pause_while_pending ?? false,
  }));
  const save = useSave(onSaved);
  const fe = save.fe;
  const set = (patch: Partial<SLAPolicyInput>) => setV((old) => ({ ...old, ...patch }));

  const submit = () => {
    const body: SLAPolicyInput = {
      ...v,
      name: v.name.trim(),
      first_response: v.first_response.trim() || '0s',
      next_response: v.next_response.trim() || '0s',
      resolution: v.resolution.trim() || '0s',
    };
    void save.run(body, (key) => (policy ? supervisorApi.updateSLAPolicy(policy.id, body) : supervisorApi.createSLAPolicy(body, key)));
  };

  return (
    <AdminForm prefix="sla" first="sla-name" title={policy ? t('admin.sla.editTitle', { name: policy.name }) : t('admin.sla.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <div class="admin-grid">
        <TextField id="sla-name" testId="sla-name" required label={t('admin.name')} error={fe('name')} value={v.name} onValue={(name) => set({ name })} />
        <NumberField
          id="sla-warn"
          min={1}
          max={99}
          label={t('admin.sla.warnAtPercent')}
          hint={t('admin.sla.warnAtHint')}
          error={fe('warn_at')}
          value={Math.round(v.warn_at * 100)}
          onValue={(n) => set({ warn_at: n / 100 })}
        />
        {SLA_TARGETS.map((target) => (
          <TextField
            key={target}
            id={`sla-${target}`}
            testId={`sla-${target.replace('_', '-')}`}
            placeholder="4h"
            label={t(`admin.sla.${target}`)}
            hint={t('admin.sla.durationHint')}
            error={fe(target)}
            value={v[target]}
            onValue={(d) => set({ [target]: d })}
          />
        ))}
      </div>

      <p class="hint" data-testid="sla-hours-note">{t('admin.sla.hoursNote')}</p>

      <label class="checkbox">
        <input
          type="checkbox"
          checked={v.pause_while_pending}
          onChange={(e) => set({ pause_while_pending: e.currentTarget.checked })}
          aria-describedby="sla-pause-hint"
          data-testid="sla-pause"
        />
        <span>{t('admin.sla.pauseWhilePending')}</span>
      </label>
      <p class="hint" id="sla-pause-hint">
        {t('admin.sla.pauseWhilePendingHint')}
      </p>

      <RowsField
        legend={t('admin.sla.escalations')}
        hint={t('admin.sla.escalationsHint')}
        rows={v.escalations}
        onRows={(escalations) => set({ escalations })}
        addLabel={t('admin.sla.addEscalation')}
        blank={(): SLAEscalation => ({ on: 'breach', target: 'first_response', raise_priority: 2, move_to_queue: '', notify_supervisor: true })}
        error={fe('escalations')}
        row={(e, i, patch) => (
          <>
            <label class="visually-hidden" for={`esc-on-${i}`}>
              {t('admin.sla.when')}
            </label>
            <select id={`esc-on-${i}`} value={e.on} onChange={(ev) => patch({ on: ev.currentTarget.value as SLAEscalation['on'] })}>
              <option value="warning">{t('admin.sla.on.warning')}</option>
              <option value="breach">{t('admin.sla.on.breach')}</option>
            </select>
            <label class="visually-hidden" for={`esc-target-${i}`}>
              {t('admin.sla.target')}
            </label>
            <select id={`esc-target-${i}`} value={e.target} onChange={(ev) => patch({ target: ev.currentTarget.value as SLAEscalation['target'] })}>
              <option value="any">{t('admin.sla.any')}</option>
              {SLA_TARGETS.map((x) => (
                <option key={x} value={x}>
                  {t(`admin.sla.${x}`)}
                </option>
              ))}
            </select>
            <label class="admin-inline-label" for={`esc-raise-${i}`}>
              {t('admin.sla.raiseTo')}
            </label>
            <select id={`esc-raise-${i}`} value={String(e.raise_priority ?? 0)} onChange={(ev) => patch({ raise_priority: num(ev.currentTarget.value) })}>
              <option value="0">{t('admin.sla.leave')}</option>
              {[1, 2, 3].map((p) => (
                <option key={p} value={p}>
                  {tMaybe(`admin.priority.${p}`, String(p))}
                </option>
              ))}
            </select>
            <label class="admin-inline-label" for={`esc-move-${i}`}>
              {t('admin.sla.moveTo')}
            </label>
            <select id={`esc-move-${i}`} value={e.move_to_queue ?? ''} onChange={(ev) => patch({ move_to_queue: ev.currentTarget.value })}>
              <option value="">{t('admin.sla.stay')}</option>
              {queues.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
            <label class="checkbox">
              <input type="checkbox" checked={!!e.notify_supervisor} onChange={(ev) => patch({ notify_supervisor: ev.currentTarget.checked })} />
              <span>{t('admin.sla.notify')}</span>
            </label>
          </>
        )}
      />

    </AdminForm>
  );
}
