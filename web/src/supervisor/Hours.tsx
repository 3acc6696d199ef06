// /admin/hours: business-hours calendars (time zone, weekly spans, holidays)
// that queues open by and SLA policies count in.
//
// Test ids: hours-page, calendar-new, calendar-row (data-name), calendar-edit,
// calendar-delete, calendar-form, calendar-name, calendar-tz, calendar-save, calendar-error.
import { useState } from 'preact/hooks';
import { supervisorApi, type Calendar, type CalendarInput } from '../api/supervisor';
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t } from '../i18n';
import { AdminPage } from './AdminNav';
import { Field, fieldError, useFocusOnOpen, Problem, useDelete, useLoaded, useReturnFocus, RowActions } from '../components/admin/form';
import { describeHours, HoursEditor } from './HoursEditor';

/** HoursPage is /admin/hours. */
export function HoursPage() {
  const calendars = useLoaded(supervisorApi.calendars);
  const del = useDelete();
  const [editing, setEditing] = useState<Calendar | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=calendar-new]');

  return (
    <AdminPage title="admin.hours.title" intro="admin.hours.intro" testId="hours-page">
      <section class="panel" aria-labelledby="calendars-title">
        <div class="panel-header">
          <h2 id="calendars-title">{t('admin.hours.list')}</h2>
          <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="calendar-new">
            {t('admin.hours.new')}
          </button>
        </div>
        <Notice kind="success">{del.notice}</Notice>
        <Notice kind="error">{del.error || calendars.error}</Notice>
        {editing && (
          <CalendarForm
            calendar={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(c) => {
              calendars.setItems((items) => [...items.filter((x) => x.id !== c.id), c].sort((a, b) => a.name.localeCompare(b.name)));
              setEditing(null);
              del.setNotice(t('admin.saved'));
            }}
          />
        )}
        {!calendars.loading && calendars.items.length === 0 && <p class="muted">{t('admin.hours.empty')}</p>}
        {calendars.items.map((c) => (
          <article key={c.id} class="admin-card" data-testid="calendar-row" data-name={c.name}>
            <h3>
              {c.name} <span class="badge badge-muted">{c.time_zone || 'UTC'}</span>
            </h3>
            <p class="small">{describeHours(c.hours)}</p>
            {c.holidays.length > 0 && (
              <p class="small muted">
                {t('admin.hours.holidays')}: {c.holidays.map((h) => `${h.date} ${h.name}`).join(' · ')}
              </p>
            )}
            <RowActions
              onEdit={() => setEditing(c)}
              editTestId="calendar-edit"
              del={del}
              id={c.id}
              name={c.name}
              testId="calendar-delete"
              question={t('admin.hours.deleteConfirm', { name: c.name })}
              remove={() => supervisorApi.deleteCalendar(c.id)}
              after={() => calendars.setItems((items) => items.filter((x) => x.id !== c.id))}
            />
          </article>
        ))}
      </section>
      {del.element}
    </AdminPage>
  );
}

function CalendarForm({ calendar, onCancel, onSaved }: { calendar: Calendar | null; onCancel: () => void; onSaved: (c: Calendar) => void }) {
  const idem = useIdempotencyKey();
  const [v, setV] = useState<CalendarInput>(() =>
    calendar
      ? { name: calendar.name, time_zone: calendar.time_zone, hours: calendar.hours ?? {}, holidays: calendar.holidays ?? [] }
      : {
          name: '',
          time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? '',
          hours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
          holidays: [],
        },
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('calendar-name');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const body: CalendarInput = { ...v, name: v.name.trim(), time_zone: v.time_zone.trim(), holidays: v.holidays.filter((h) => h.date) };
    try {
      const saved = calendar ? await supervisorApi.updateCalendar(calendar.id, body) : await supervisorApi.createCalendar(body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="calendar-form" aria-labelledby="calendar-form-title">
      <h3 id="calendar-form-title">{calendar ? t('admin.hours.editTitle', { name: calendar.name }) : t('admin.hours.new')}</h3>
      <Field id="calendar-name" label={t('admin.name')} error={fe('name')}>
        <input
          id="calendar-name"
          required
          value={v.name}
          onInput={(e) => setV({ ...v, name: e.currentTarget.value })}
          aria-invalid={fe('name') ? true : undefined}
          aria-describedby="calendar-name-hint"
          data-testid="calendar-name"
        />
      </Field>
      <HoursEditor idPrefix="calendar" value={v} onChange={(h) => setV({ ...v, ...h })} error={fe} />
      <Problem error={error} testId="calendar-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="calendar-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
