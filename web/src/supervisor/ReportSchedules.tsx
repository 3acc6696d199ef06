// The Reports page's "Schedules" section: reports mailed to supervisors on a
// schedule (docs/reports.md, "Scheduled reports") — when (daily, weekly on a
// weekday, monthly on a day, at a local time in a zone), one optional filter,
// who receives it (supervisors and admins, other addresses), and "send now"
// to try one. linkedQuery reads the range a report mail links to.
//
// Test ids: rsched-section, rsched-new, rsched-row (data-name), rsched-edit, rsched-delete,
// rsched-send, rsched-notice, rsched-form, rsched-name, rsched-frequency, rsched-weekday,
// rsched-day, rsched-at, rsched-tz, rsched-dim, rsched-value, rsched-recipient (data-email),
// rsched-extra, rsched-enabled, rsched-save, rsched-cancel, rsched-error (the admin kit's).
import { useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { reportSchedulesApi, type Frequency, type ReportFilter, type ReportSchedule, type ReportScheduleInput } from '../api/reportSchedules';
import { supervisorApi } from '../api/supervisor';
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot, type Outcome } from '../components/admin/AdminList';
import { CheckField, SelectField, TextField } from '../components/admin/fields';
import { splitList, useLoaded } from '../components/admin/form';
import { t, type MessageKey } from '../i18n';
import type { User } from '../types';

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
  const [sending, setSending] = useState('');
  const recipients = users.items.filter((u) => !u.disabled && (u.role === 'supervisor' || u.role === 'admin'));

  const sendNow = async (s: ReportSchedule, out: Outcome) => {
    setSending(s.id);
    out.setNotice('');
    out.setError('');
    try {
      const run = await reportSchedulesApi.sendNow(s.id);
      out.setNotice(t('rsched.sent', { n: String(run.sent_to), from: run.from, to: run.to }));
      schedules.setItems((items) => items.map((x) => (x.id === s.id ? { ...x, last_run: run } : x)));
    } catch (err) {
      out.setError(errorMessage(err));
    } finally {
      setSending('');
    }
  };

  return (
    <div data-testid="rsched-section">
      <AdminList
        prefix="rsched"
        title={t('rsched.title')}
        intro={t('rsched.intro')}
        newLabel={t('rsched.new')}
        empty={t('rsched.empty')}
        list={schedules}
        order={(a, b) => a.name.localeCompare(b.name)}
        name={(s) => s.name}
        deleteQuestion={(s) => t('rsched.deleteConfirm', { name: s.name })}
        remove={(s) => reportSchedulesApi.remove(s.id)}
        card={(s) => (
          <>
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
          </>
        )}
        actions={(s, _i, out) => (
          <button type="button" class="button button-small" disabled={sending === s.id} onClick={() => void sendNow(s, out)} data-testid="rsched-send">
            {sending === s.id ? t('common.working') : t('rsched.sendNow')}
          </button>
        )}
        form={(slot) => <ScheduleForm {...slot} users={recipients} />}
      />
    </div>
  );
}

function ScheduleForm({ item: s, users, onCancel, onSaved }: FormSlot<ReportSchedule> & { users: User[] }) {
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
  const save = useSave(onSaved);
  const fe = save.fe;

  const submit = () => {
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
    void save.run(body, (key) => (s ? reportSchedulesApi.update(s.id, body) : reportSchedulesApi.create(body, key)));
  };

  return (
    <AdminForm prefix="rsched" first="rsched-name" title={s ? t('rsched.editTitle', { name: s.name }) : t('rsched.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <TextField id="rsched-name" testId="rsched-name" label={t('rsched.name')} error={fe('name')} value={name} onValue={setName} />
      <SelectField
        id="rsched-frequency"
        testId="rsched-frequency"
        label={t('rsched.frequency')}
        error={fe('frequency')}
        value={frequency}
        onValue={(v) => setFrequency(v as Frequency)}
        options={(['daily', 'weekly', 'monthly'] as const).map((f) => [f, t(`rsched.freq.${f}`)] as const)}
      />
      {frequency === 'weekly' && (
        <SelectField
          id="rsched-weekday"
          testId="rsched-weekday"
          label={t('rsched.weekday')}
          error={fe('weekday')}
          value={String(weekday)}
          onValue={(v) => setWeekday(Number(v))}
          options={[1, 2, 3, 4, 5, 6, 0].map((d) => [String(d), weekdayName(d)] as const)}
        />
      )}
      {frequency === 'monthly' && (
        <TextField id="rsched-day" testId="rsched-day" type="number" min={1} max={31} label={t('rsched.day')} hint={t('rsched.dayHint')} error={fe('day')} value={day} onValue={setDay} />
      )}
      <TextField id="rsched-at" testId="rsched-at" type="time" label={t('rsched.at')} error={fe('at')} value={at} onValue={setAt} />
      <TextField id="rsched-tz" testId="rsched-tz" label={t('rsched.tz')} hint={t('rsched.tzHint')} error={fe('tz')} value={tz} onValue={setTz} />
      <SelectField
        id="rsched-dim"
        testId="rsched-dim"
        label={t('rsched.filterBy')}
        error={fe('filter')}
        value={dim}
        onValue={(v) => setDim(v as Dim | '')}
        options={[['', t('rep.filter.none')], ...dims.map((d) => [d, t(`rep.filter.${d}`)] as const)]}
      />
      <TextField id="rsched-value" testId="rsched-value" label={t('rsched.filterValue')} disabled={!dim} value={value} onValue={setValue} />
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
      <TextField id="rsched-extra" testId="rsched-extra" label={t('rsched.extra')} hint={t('rsched.extraHint')} error={fe('extra_emails')} value={extra} onValue={setExtra} />
      <CheckField id="rsched-enabled" testId="rsched-enabled" label={t('rsched.enabled')} checked={enabled} onValue={setEnabled} />
    </AdminForm>
  );
}
