// Quiet hours and the time zone they are read in, saved together with one
// button: half-typed times should not be sent on every keystroke.
import { useState } from 'preact/hooks';
import type { PreferenceView, QuietHours as Quiet } from '../api/portal';
import { t } from './i18n';
import { DAYS, validTime } from './logic';

interface Props {
  view: PreferenceView;
  onSave: (q: Quiet | undefined, zone: string) => void;
}

/** browserZone is the zone this device is set to. */
function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** zones lists the zones the browser knows, with the chosen one kept even if it does not. */
function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) ? all : [current, ...all];
}

/** QuietHours edits the stretch in which non-critical notices wait. */
export function QuietHours({ view, onSave }: Props) {
  const q = view.own?.quiet_hours ?? view.effective?.quiet_hours;
  const [on, setOn] = useState(!!q);
  const [from, setFrom] = useState(q?.from ?? '22:00');
  const [to, setTo] = useState(q?.to ?? '07:00');
  const [days, setDays] = useState<string[]>(q?.days ?? []);
  const [zone, setZone] = useState(view.own?.time_zone || view.effective?.time_zone || browserZone());
  const [error, setError] = useState('');

  const submit = (e: Event) => {
    e.preventDefault();
    if (on && !(validTime(from) && validTime(to))) {
      setError(t('prefs.quietInvalid'));
      return;
    }
    setError('');
    onSave(on ? { from, to, days: days.length ? DAYS.filter((d) => days.includes(d)) : undefined } : undefined, zone);
  };
  const toggleDay = (d: string, checked: boolean) => setDays((ds) => (checked ? [...ds, d] : ds.filter((x) => x !== d)));

  return (
    <section class="card" aria-labelledby="quiet-title">
      <h2 id="quiet-title">{t('prefs.quiet')}</h2>
      <p class="muted">{t('prefs.quietIntro')}</p>
      <form onSubmit={submit} data-testid="quiet-form">
        <label class="check">
          <input type="checkbox" checked={on} onChange={(e) => setOn(e.currentTarget.checked)} data-testid="quiet-on" />
          {t('prefs.quietOn')}
        </label>
        <fieldset class="plain" disabled={!on}>
          <div class="row">
            <label class="field">
              <span>{t('prefs.quietFrom')}</span>
              <input type="time" value={from} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="quiet-from" />
            </label>
            <label class="field">
              <span>{t('prefs.quietTo')}</span>
              <input type="time" value={to} onInput={(e) => setTo(e.currentTarget.value)} data-testid="quiet-to" />
            </label>
          </div>
          <fieldset class="days">
            <legend>{t('prefs.quietDays')}</legend>
            {DAYS.map((d) => (
              <label key={d} class="day">
                <input type="checkbox" checked={days.includes(d)} onChange={(e) => toggleDay(d, e.currentTarget.checked)} />
                {t(`day.${d}`)}
              </label>
            ))}
          </fieldset>
        </fieldset>
        <label class="field">
          <span>{t('prefs.timeZone')}</span>
          <select value={zone} onChange={(e) => setZone(e.currentTarget.value)} aria-describedby="zone-hint" data-testid="time-zone">
            {zones(zone).map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
          <small id="zone-hint" class="muted">
            {t('prefs.timeZoneHint')}
          </small>
        </label>
        {error && (
          <p class="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary" data-testid="quiet-save">
          {t('prefs.saveQuiet')}
        </button>
      </form>
    </section>
  );
}
