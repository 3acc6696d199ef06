// The editor for opening hours — time zone, spans per weekday, holidays —
// used by the business-hours calendars page.
import { WEEKDAYS, type Holiday, type Span, type WeekHours } from '../api/supervisor';
import { t, tMaybe } from '../i18n';

/** Hours is the part of a calendar the editor changes. */
export interface Hours {
  time_zone: string;
  hours: WeekHours;
  holidays: Holiday[];
}

interface Props {
  idPrefix: string;
  value: Hours;
  onChange: (v: Hours) => void;
  error?: (field: string) => string | undefined;
}

/** zones lists the IANA zones the browser knows, for the time zone field's suggestions. */
function zones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/** HoursEditor edits a time zone, each weekday's open spans and the holidays. */
export function HoursEditor({ idPrefix, value, onChange, error }: Props) {
  const setDay = (day: (typeof WEEKDAYS)[number], spans: Span[]) => {
    const hours = { ...value.hours };
    if (spans.length) hours[day] = spans;
    else delete hours[day];
    onChange({ ...value, hours });
  };
  const listID = `${idPrefix}-zones`;
  return (
    <>
      <div class="field">
        <label for={`${idPrefix}-tz`}>{t('admin.hours.timeZone')}</label>
        <input
          id={`${idPrefix}-tz`}
          list={listID}
          value={value.time_zone}
          placeholder="Europe/Lisbon"
          onInput={(e) => onChange({ ...value, time_zone: e.currentTarget.value })}
          aria-describedby={`${idPrefix}-tz-hint`}
          aria-invalid={error?.('time_zone') ? true : undefined}
          data-testid={`${idPrefix}-tz`}
        />
        <datalist id={listID}>
          {zones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <p id={`${idPrefix}-tz-hint`} class={error?.('time_zone') ? 'field-error' : 'hint'}>
          {error?.('time_zone') ?? t('admin.hours.timeZoneHint')}
        </p>
      </div>
      <fieldset class="field">
        <legend>{t('admin.hours.week')}</legend>
        <p class="hint">{t('admin.hours.weekHint')}</p>
        <div class="admin-days">
          {WEEKDAYS.map((day) => {
            const spans = value.hours[day] ?? [];
            return (
              <div class="admin-day" key={day} data-testid={`${idPrefix}-day-${day}`}>
                <span class="admin-inline-label">{tMaybe(`admin.day.${day}`, day)}</span>
                <div class="admin-rows">
                  {spans.length === 0 && <span class="muted small">{t('admin.hours.closed')}</span>}
                  {spans.map((s, i) => (
                    <div class="admin-row" key={i}>
                      <label class="visually-hidden" for={`${idPrefix}-${day}-${i}-from`}>
                        {t('admin.hours.spanFrom', { day: tMaybe(`admin.day.${day}`, day) })}
                      </label>
                      <input
                        id={`${idPrefix}-${day}-${i}-from`}
                        type="time"
                        value={s[0]}
                        onInput={(e) => setDay(day, spans.map((x, j) => (j === i ? [e.currentTarget.value, x[1]] : x)))}
                      />
                      <span aria-hidden="true">–</span>
                      <label class="visually-hidden" for={`${idPrefix}-${day}-${i}-to`}>
                        {t('admin.hours.spanTo', { day: tMaybe(`admin.day.${day}`, day) })}
                      </label>
                      <input
                        id={`${idPrefix}-${day}-${i}-to`}
                        type="time"
                        value={s[1] === '24:00' ? '23:59' : s[1]}
                        onInput={(e) => setDay(day, spans.map((x, j) => (j === i ? [x[0], e.currentTarget.value] : x)))}
                      />
                      <button type="button" class="button button-small button-quiet" onClick={() => setDay(day, spans.filter((_, j) => j !== i))}>
                        {t('admin.remove')}
                      </button>
                    </div>
                  ))}
                  <div>
                    <button
                      type="button"
                      class="button button-small"
                      aria-label={t('admin.hours.addSpanFor', { day: tMaybe(`admin.day.${day}`, day) })}
                      onClick={() => setDay(day, [...spans, spans.length ? [spans[spans.length - 1]![1], '18:00'] : ['09:00', '17:00']])}
                    >
                      {t('admin.hours.addSpan')}
                    </button>
                  </div>
                </div>
              </div>
            );
          })}
        </div>
        {error?.('hours') && <p class="field-error">{error('hours')}</p>}
      </fieldset>
      <fieldset class="field">
        <legend>{t('admin.hours.holidays')}</legend>
        <div class="admin-rows">
          {value.holidays.map((h, i) => (
            <div class="admin-row" key={i}>
              <label class="visually-hidden" for={`${idPrefix}-hol-${i}-date`}>
                {t('admin.hours.holidayDate')}
              </label>
              <input
                id={`${idPrefix}-hol-${i}-date`}
                type="date"
                value={h.date}
                onInput={(e) => onChange({ ...value, holidays: value.holidays.map((x, j) => (j === i ? { ...x, date: e.currentTarget.value } : x)) })}
              />
              <label class="visually-hidden" for={`${idPrefix}-hol-${i}-name`}>
                {t('admin.hours.holidayName')}
              </label>
              <input
                id={`${idPrefix}-hol-${i}-name`}
                class="grow"
                value={h.name}
                placeholder={t('admin.hours.holidayName')}
                onInput={(e) => onChange({ ...value, holidays: value.holidays.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)) })}
              />
              <button type="button" class="button button-small button-quiet" onClick={() => onChange({ ...value, holidays: value.holidays.filter((_, j) => j !== i) })}>
                {t('admin.remove')}
              </button>
            </div>
          ))}
        </div>
        <button type="button" class="button button-small" onClick={() => onChange({ ...value, holidays: [...value.holidays, { date: '', name: '' }] })}>
          {t('admin.hours.addHoliday')}
        </button>
        {error?.('holidays') && <p class="field-error">{error('holidays')}</p>}
      </fieldset>
    </>
  );
}

/** describeHours sums a week up in one line: "Mon 08:00–20:00, Tue …". */
export function describeHours(hours: WeekHours | undefined): string {
  const parts = WEEKDAYS.filter((d) => hours?.[d]?.length).map(
    (d) => `${tMaybe(`admin.dayShort.${d}`, d)} ${hours![d]!.map((s) => `${s[0]}–${s[1]}`).join(', ')}`,
  );
  return parts.length ? parts.join(' · ') : t('admin.hours.aroundTheClock');
}
