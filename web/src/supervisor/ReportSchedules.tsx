// The Reports page's "Schedules" section: reports mailed to supervisors on a
// schedule (docs/reports.md, "Scheduled reports") — when (daily, weekly on a
// weekday, monthly on a day, at a local time in a zone), one optional filter,
// who receives it (supervisors and admins, other addresses), and "send now"
// to try one. linkedQuery reads the range a report mail links to.
//
// Test ids: rsched-section, rsched-new, rsched-row (data-name), rsched-edit, rsched-delete,
// rsched-send, rsched-notice, rsched-form, rsched-name, rsched-frequency, rsched-weekday,
// rsched-day, rsched-at, rsched-tz, rsched-dim, rsched-value, rsched-recipient (data-email),
// rsched-extra, rsched-enabled, rsched-save, rsched-error.
import { useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { reportSchedulesApi, type Frequency, type ReportFilter, type ReportSchedule, type ReportScheduleInput } from '../api/reportSchedules';
import { supervisorApi } from '../api/supervisor';
import { Notice } from '../components/Notice';
import { t, type MessageKey } from '../i18n';
import type { User } from '../types';
import { DeleteButton, Field, fieldError, Problem, splitList, useDelete, useLoaded } from './form';

type Dim = 'channel' | 'queue' | 'agent' | 'team' | 'tag';
const dims: Dim[] = ['channel', 'queue', 'agent', 'team', 'tag'];
const filterKey: Record<Dim, keyof ReportFilter> = { channel: 'channel', queue: 'queue_id', agent: 'agent_id', team: 'team', tag: 'tag' };

/** linkedQuery is the range, zone and filter in the page's address (a report mail's link), if any. */
export function linkedQuery(): { from?: string; to?: string; tz?: string; dim?: Dim; value?: string } {
  const p = new URLSearchParams(window.location.search);
  const dim = dims.find((d) => p.get(d));
  return { from: p.get('from') ?? undefined, to: p.get('to') ?? undefined, tz: p.get('tz') ?? undefined, dim, value: dim ? (p.get(dim) ?? '') : undefined };
}

const weekdayName = (d: number) => new Date(Date.UTC(2026, 10, 1 + d)).toLocaleDateString(undefined, { weekday: 'long', timeZone: 'UTC' }); // 2026-11-01 is a Sunday

function every(s: ReportScheduleInput): string {
  return t(`rsched.every.${s.frequency}` as MessageKey, { at: s.at, tz: s.tz, day: String(s.day), weekday: weekdayName(s.weekday) });
}

/** ReportSchedules is the Schedules section of /admin/reports. */
export function ReportSchedules() {
  const schedules = useLoaded(reportSchedulesApi.list);
  const users = useLoaded(supervisorApi.users);
  const del = useDelete();
  const [editing, setEditing] = useState<ReportSchedule | 'new' | null>(null);
  const [sending, setSending] = useState('');
  const recipients = users.items.filter((u) => !u.disabled && (u.role === 'supervisor' || u.role === 'admin'));

  const sendNow = async (s: ReportSchedule) => {
    setSending(s.id);
    del.setNotice('');
    del.setError('');
    try {
      const run = await reportSchedulesApi.sendNow(s.id);
      del.setNotice(t('rsched.sent', { n: String(run.sent_to), from: run.from, to: run.to }));
      schedules.setItems((items) => items.map((x) => (x.id === s.id ? { ...x, last_run: run } : x)));
    } catch (err) {
      del.setError(errorMessage(err));
    } finally {
      setSending('');
    }
  };

  return (
    <section class="panel" aria-labelledby="rsched-title" data-testid="rsched-section">
      <div class="panel-header">
        <h2 id="rsched-title">{t('rsched.title')}</h2>
        <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="rsched-new">
          {t('rsched.new')}
        </button>
      </div>
      <p class="muted">{t('rsched.intro')}</p>
      <Notice kind="success" testId="rsched-notice">
        {del.notice}
      </Notice>
      <Notice kind="error">{del.error || schedules.error}</Notice>
      {editing && (
        <ScheduleForm
          schedule={editing === 'new' ? null : editing}
          users={recipients}
          onCancel={() => setEditing(null)}
          onSaved={(s) => {
            schedules.setItems((items) => [...items.filter((x) => x.id !== s.id), s].sort((a, b) => a.name.localeCompare(b.name)));
            setEditing(null);
            del.setNotice(t('admin.saved'));
          }}
        />
      )}
      {!schedules.loading && schedules.items.length === 0 && <p class="muted">{t('rsched.empty')}</p>}
      {schedules.items.map((s) => (
        <article key={s.id} class="admin-card" data-testid="rsched-row" data-name={s.name}>
          <h3>
            {s.name} {!s.enabled && <span class="badge badge-muted">{t('rsched.off')}</span>}
          </h3>
          <p class="small">
            {every(s)}
            {s.next_run_at ? ` · ${t('rsched.next', { when: new Date(s.next_run_at).toLocaleString() })}` : ''}
            {s.last_run
              ? ` · ${t('rsched.last', { from: s.last_run.from, to: s.last_run.to, status: t(`rsched.status.${s.last_run.status}` as MessageKey) })}`
              : ''}
          </p>
          <div class="cell-actions">
            <button type="button" class="button button-small" disabled={sending === s.id} onClick={() => void sendNow(s)} data-testid="rsched-send">
              {sending === s.id ? t('common.working') : t('rsched.sendNow')}
            </button>
            <button type="button" class="button button-small" onClick={() => setEditing(s)} aria-label={`${t('admin.edit')}: ${s.name}`} data-testid="rsched-edit">
              {t('admin.edit')}
            </button>
            <DeleteButton
              del={del}
              id={s.id}
              name={s.name}
              testId="rsched-delete"
              question={t('rsched.deleteConfirm', { name: s.name })}
              remove={() => reportSchedulesApi.remove(s.id)}
              after={() => schedules.setItems((items) => items.filter((x) => x.id !== s.id))}
            />
          </div>
        </article>
      ))}
      {del.element}
    </section>
  );
}

interface FormProps {
  schedule: ReportSchedule | null;
  users: User[];
  onCancel: () => void;
  onSaved: (s: ReportSchedule) => void;
}

function ScheduleForm({ schedule, users, onCancel, onSaved }: FormProps) {
  const s = schedule;
  const initialDim = dims.find((d) => s?.filter[filterKey[d]]) ?? '';
  const [name, setName] = useState(s?.name ?? '');
  const [frequency, setFrequency] = useState<Frequency>(s?.frequency ?? 'weekly');
  const [weekday, setWeekday] = useState(s?.weekday ?? 1);
  const [day, setDay] = useState(String(s?.day || 1));
  const [at, setAt] = useState(s?.at ?? '08:00');
  const [tz, setTz] = useState(s?.tz ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'));
  const [dim, setDim] = useState<Dim | ''>(initialDim);
  const [value, setValue] = useState(initialDim ? (s?.filter[filterKey[initialDim]] ?? '') : '');
  const [chosen, setChosen] = useState<string[]>(s?.recipients ?? []);
  const [extra, setExtra] = useState((s?.extra_emails ?? []).join(', '));
  const [enabled, setEnabled] = useState(s?.enabled ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const filter: ReportFilter = dim && value.trim() ? { [filterKey[dim]]: value.trim() } : {};
    const body: ReportScheduleInput = {
      name: name.trim(),
      frequency,
      weekday: frequency === 'weekly' ? weekday : 0,
      day: frequency === 'monthly' ? Number(day) || 0 : 0,
      at,
      tz: tz.trim(),
      filter,
      recipients: chosen,
      extra_emails: splitList(extra),
      enabled,
    };
    setBusy(true);
    setError(null);
    try {
      onSaved(s ? await reportSchedulesApi.update(s.id, body) : await reportSchedulesApi.create(body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="rsched-form" aria-labelledby="rsched-form-title">
      <h3 id="rsched-form-title">{s ? t('rsched.editTitle', { name: s.name }) : t('rsched.new')}</h3>
      <Field id="rsched-name" label={t('rsched.name')} error={fe('name')}>
        <input id="rsched-name" value={name} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="rsched-name-hint" data-testid="rsched-name" />
      </Field>
      <Field id="rsched-frequency" label={t('rsched.frequency')} error={fe('frequency')}>
        <select id="rsched-frequency" value={frequency} onChange={(e) => setFrequency(e.currentTarget.value as Frequency)} aria-describedby="rsched-frequency-hint" data-testid="rsched-frequency">
          {(['daily', 'weekly', 'monthly'] as const).map((f) => (
            <option key={f} value={f}>
              {t(`rsched.freq.${f}`)}
            </option>
          ))}
        </select>
      </Field>
      {frequency === 'weekly' && (
        <Field id="rsched-weekday" label={t('rsched.weekday')} error={fe('weekday')}>
          <select id="rsched-weekday" value={String(weekday)} onChange={(e) => setWeekday(Number(e.currentTarget.value))} aria-describedby="rsched-weekday-hint" data-testid="rsched-weekday">
            {[1, 2, 3, 4, 5, 6, 0].map((d) => (
              <option key={d} value={String(d)}>
                {weekdayName(d)}
              </option>
            ))}
          </select>
        </Field>
      )}
      {frequency === 'monthly' && (
        <Field id="rsched-day" label={t('rsched.day')} hint={t('rsched.dayHint')} error={fe('day')}>
          <input id="rsched-day" type="number" min={1} max={31} value={day} onInput={(e) => setDay(e.currentTarget.value)} aria-describedby="rsched-day-hint" data-testid="rsched-day" />
        </Field>
      )}
      <Field id="rsched-at" label={t('rsched.at')} error={fe('at')}>
        <input id="rsched-at" type="time" value={at} onInput={(e) => setAt(e.currentTarget.value)} aria-describedby="rsched-at-hint" data-testid="rsched-at" />
      </Field>
      <Field id="rsched-tz" label={t('rsched.tz')} hint={t('rsched.tzHint')} error={fe('tz')}>
        <input id="rsched-tz" value={tz} onInput={(e) => setTz(e.currentTarget.value)} aria-describedby="rsched-tz-hint" data-testid="rsched-tz" />
      </Field>
      <Field id="rsched-dim" label={t('rsched.filterBy')} error={fe('filter')}>
        <select id="rsched-dim" value={dim} onChange={(e) => setDim(e.currentTarget.value as Dim | '')} aria-describedby="rsched-dim-hint" data-testid="rsched-dim">
          <option value="">{t('rep.filter.none')}</option>
          {dims.map((d) => (
            <option key={d} value={d}>
              {t(`rep.filter.${d}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="rsched-value" label={t('rsched.filterValue')}>
        <input id="rsched-value" value={value} disabled={!dim} onInput={(e) => setValue(e.currentTarget.value)} data-testid="rsched-value" />
      </Field>
      <fieldset class="field" aria-describedby="rsched-recipients-hint">
        <legend>{t('rsched.recipients')}</legend>
        {users.map((u) => (
          <label key={u.id} class="checkbox">
            <input
              type="checkbox"
              checked={chosen.includes(u.id)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setChosen((c) => (on ? [...c, u.id] : c.filter((x) => x !== u.id)));
              }}
              data-testid="rsched-recipient"
              data-email={u.email}
            />{' '}
            {u.name} ({u.email})
          </label>
        ))}
        {fe('recipients') && (
          <p id="rsched-recipients-hint" class="field-error">
            {fe('recipients')}
          </p>
        )}
      </fieldset>
      <Field id="rsched-extra" label={t('rsched.extra')} hint={t('rsched.extraHint')} error={fe('extra_emails')}>
        <input id="rsched-extra" value={extra} onInput={(e) => setExtra(e.currentTarget.value)} aria-describedby="rsched-extra-hint" data-testid="rsched-extra" />
      </Field>
      <Field id="rsched-enabled" label={t('rsched.enabled')}>
        <input id="rsched-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="rsched-enabled" />
      </Field>
      <Problem error={error} testId="rsched-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="rsched-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
