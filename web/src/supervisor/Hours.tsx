// /admin/hours: business-hours calendars (time zone, weekly spans, holidays)
// that queues open by and SLA policies count in.
//
// Test ids: hours-page, calendar-new, calendar-row (data-name), calendar-edit,
// calendar-delete, calendar-form, calendar-name, calendar-tz, calendar-save, calendar-error.
import { useState } from 'preact/hooks';
import { supervisorApi, type Calendar, type CalendarInput } from '../api/supervisor';
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { TextField } from '../components/admin/fields';
import { useLoaded } from '../components/admin/form';
import { t } from '../i18n';
import { AdminPage } from './AdminNav';
import { describeHours, HoursEditor } from './HoursEditor';

/** HoursPage is /admin/hours. */
export function HoursPage() {
  const calendars = useLoaded(supervisorApi.calendars);
  return (
    <AdminPage title="admin.hours.title" intro="admin.hours.intro" testId="hours-page">
      <AdminList
        prefix="calendar"
        title={t('admin.hours.list')}
        newLabel={t('admin.hours.new')}
        empty={t('admin.hours.empty')}
        list={calendars}
        order={(a, b) => a.name.localeCompare(b.name)}
        name={(c) => c.name}
        deleteQuestion={(c) => t('admin.hours.deleteConfirm', { name: c.name })}
        remove={(c) => supervisorApi.deleteCalendar(c.id)}
        card={(c) => (
          <>
            <h3>
              {c.name} <span class="badge badge-muted">{c.time_zone || 'UTC'}</span>
            </h3>
            <p class="small">{describeHours(c.hours)}</p>
            {c.holidays.length > 0 && (
              <p class="small muted">
                {t('admin.hours.holidays')}: {c.holidays.map((h) => `${h.date} ${h.name}`).join(' · ')}
              </p>
            )}
          </>
        )}
        form={(slot) => <CalendarForm {...slot} />}
      />
    </AdminPage>
  );
}

function CalendarForm({ item: calendar, onCancel, onSaved }: FormSlot<Calendar>) {
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
  const save = useSave(onSaved);
  const submit = () => {
    const body: CalendarInput = { ...v, name: v.name.trim(), time_zone: v.time_zone.trim(), holidays: v.holidays.filter((h) => h.date) };
    void save.run(body, (key) => (calendar ? supervisorApi.updateCalendar(calendar.id, body) : supervisorApi.createCalendar(body, key)));
  };

  return (
    <AdminForm prefix="calendar" first="calendar-name" title={calendar ? t('admin.hours.editTitle', { name: calendar.name }) : t('admin.hours.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <TextField id="calendar-name" testId="calendar-name" required label={t('admin.name')} error={save.fe('name')} value={v.name} onValue={(name) => setV({ ...v, name })} />
      <HoursEditor idPrefix="calendar" value={v} onChange={(h) => setV({ ...v, ...h })} error={save.fe} />
    </AdminForm>
  );
}
