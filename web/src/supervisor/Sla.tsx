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
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t, tMaybe } from '../i18n';
import { AdminPage } from './AdminNav';
import { Field, fieldError, useFocusOnOpen, num, Problem, useDelete, useLoaded, useReturnFocus, RowActions } from './form';

/** shortDuration turns the API's "1h0m0s" into "1h", and "0s" into "". */
export function shortDuration(d: string | undefined): string {
  if (!d || d === '0s') return '';
  return d.replace(/(\d)h0m0s$/, '$1h').replace(/(\d)m0s$/, '$1m').replace(/^0h/, '');
}

/** SlaPage is /admin/sla. */
export function SlaPage() {
  const policies = useLoaded(supervisorApi.slaPolicies);
  const queues = useLoaded(supervisorApi.queues);
  const del = useDelete();
  const [editing, setEditing] = useState<SLAPolicy | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=sla-new]');
  const dash = t('common.none');

  return (
    <AdminPage title="admin.sla.title" intro="admin.sla.intro" testId="sla-page">
      <section class="panel" aria-labelledby="sla-list-title">
        <div class="panel-header">
          <h2 id="sla-list-title">{t('admin.sla.list')}</h2>
          <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="sla-new">
            {t('admin.sla.new')}
          </button>
        </div>
        <Notice kind="success">{del.notice}</Notice>
        <Notice kind="error">{del.error || policies.error}</Notice>
        {editing && (
          <PolicyForm
            policy={editing === 'new' ? null : editing}
            queues={queues.items}
            onCancel={() => setEditing(null)}
            onSaved={(p) => {
              policies.setItems((items) => [...items.filter((x) => x.id !== p.id), p].sort((a, b) => a.name.localeCompare(b.name)));
              setEditing(null);
              del.setNotice(t('admin.saved'));
            }}
          />
        )}
        {!policies.loading && policies.items.length === 0 && <p class="muted">{t('admin.sla.empty')}</p>}
        {policies.items.map((p) => {
          return (
            <article key={p.id} class="admin-card" data-testid="sla-row" data-name={p.name}>
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
              <RowActions
                onEdit={() => setEditing(p)}
                editTestId="sla-edit"
                del={del}
                id={p.id}
                name={p.name}
                testId="sla-delete"
                question={t('admin.sla.deleteConfirm', { name: p.name })}
                remove={() => supervisorApi.deleteSLAPolicy(p.id)}
                after={() => policies.setItems((items) => items.filter((x) => x.id !== p.id))}
              />
            </article>
          );
        })}
      </section>
      {del.element}
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

interface FormProps {
  policy: SLAPolicy | null;
  queues: Queue[];
  onCancel: () => void;
  onSaved: (p: SLAPolicy) => void;
}

function PolicyForm({ policy, queues, onCancel, onSaved }: FormProps) {
  const idem = useIdempotencyKey();
  const [v, setV] = useState<SLAPolicyInput>(() => ({
    name: policy?.name ?? '',
    first_response: shortDuration(policy?.first_response) || (policy ? '' : '1h'),
    next_response: shortDuration(policy?.next_response),
    resolution: shortDuration(policy?.resolution),
    warn_at: policy?.warn_at ?? 0.8,
    escalations: policy?.escalations ?? [],
    pause_while_pending: policy?.pause_while_pending ?? false,
  }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('sla-name');
  const set = (patch: Partial<SLAPolicyInput>) => setV((old) => ({ ...old, ...patch }));
  const setEsc = (i: number, patch: Partial<SLAEscalation>) => set({ escalations: v.escalations.map((e, j) => (j === i ? { ...e, ...patch } : e)) });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const body: SLAPolicyInput = {
      ...v,
      name: v.name.trim(),
      first_response: v.first_response.trim() || '0s',
      next_response: v.next_response.trim() || '0s',
      resolution: v.resolution.trim() || '0s',
    };
    try {
      const saved = policy ? await supervisorApi.updateSLAPolicy(policy.id, body) : await supervisorApi.createSLAPolicy(body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="sla-form" aria-labelledby="sla-form-title">
      <h3 id="sla-form-title">{policy ? t('admin.sla.editTitle', { name: policy.name }) : t('admin.sla.new')}</h3>
      <div class="admin-grid">
        <Field id="sla-name" label={t('admin.name')} error={fe('name')}>
          <input id="sla-name" required value={v.name} onInput={(e) => set({ name: e.currentTarget.value })} aria-describedby="sla-name-hint" data-testid="sla-name" />
        </Field>
        <Field id="sla-warn" label={t('admin.sla.warnAtPercent')} hint={t('admin.sla.warnAtHint')} error={fe('warn_at')}>
          <input
            id="sla-warn"
            type="number"
            min={1}
            max={99}
            value={Math.round(v.warn_at * 100)}
            onInput={(e) => set({ warn_at: num(e.currentTarget.value) / 100 })}
            aria-describedby="sla-warn-hint"
          />
        </Field>
        {SLA_TARGETS.map((target) => (
          <Field key={target} id={`sla-${target}`} label={t(`admin.sla.${target}`)} hint={t('admin.sla.durationHint')} error={fe(target)}>
            <input
              id={`sla-${target}`}
              value={v[target]}
              placeholder="4h"
              onInput={(e) => set({ [target]: e.currentTarget.value })}
              aria-invalid={fe(target) ? true : undefined}
              aria-describedby={`sla-${target}-hint`}
              data-testid={`sla-${target.replace('_', '-')}`}
            />
          </Field>
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

      <fieldset class="field">
        <legend>{t('admin.sla.escalations')}</legend>
        <p class="hint">{t('admin.sla.escalationsHint')}</p>
        <div class="admin-rows">
          {v.escalations.map((e, i) => (
            <div class="admin-row" key={i}>
              <label class="visually-hidden" for={`esc-on-${i}`}>
                {t('admin.sla.when')}
              </label>
              <select id={`esc-on-${i}`} value={e.on} onChange={(ev) => setEsc(i, { on: ev.currentTarget.value as SLAEscalation['on'] })}>
                <option value="warning">{t('admin.sla.on.warning')}</option>
                <option value="breach">{t('admin.sla.on.breach')}</option>
              </select>
              <label class="visually-hidden" for={`esc-target-${i}`}>
                {t('admin.sla.target')}
              </label>
              <select id={`esc-target-${i}`} value={e.target} onChange={(ev) => setEsc(i, { target: ev.currentTarget.value as SLAEscalation['target'] })}>
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
              <select id={`esc-raise-${i}`} value={String(e.raise_priority ?? 0)} onChange={(ev) => setEsc(i, { raise_priority: num(ev.currentTarget.value) })}>
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
              <select id={`esc-move-${i}`} value={e.move_to_queue ?? ''} onChange={(ev) => setEsc(i, { move_to_queue: ev.currentTarget.value })}>
                <option value="">{t('admin.sla.stay')}</option>
                {queues.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.name}
                  </option>
                ))}
              </select>
              <label class="checkbox">
                <input type="checkbox" checked={!!e.notify_supervisor} onChange={(ev) => setEsc(i, { notify_supervisor: ev.currentTarget.checked })} />
                <span>{t('admin.sla.notify')}</span>
              </label>
              <button type="button" class="button button-small button-quiet" onClick={() => set({ escalations: v.escalations.filter((_, j) => j !== i) })}>
                {t('admin.remove')}
              </button>
            </div>
          ))}
        </div>
        <button
          type="button"
          class="button button-small"
          onClick={() => set({ escalations: [...v.escalations, { on: 'breach', target: 'first_response', raise_priority: 2, move_to_queue: '', notify_supervisor: true }] })}
        >
          {t('admin.sla.addEscalation')}
        </button>
        {fe('escalations') && <p class="field-error">{fe('escalations')}</p>}
      </fieldset>

      <Problem error={error} testId="sla-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="sla-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
