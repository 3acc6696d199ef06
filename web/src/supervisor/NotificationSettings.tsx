// /admin/notification-settings: what every customer starts from until they
// set their own — the channel order, quiet hours in their time zone, which
// categories are on — and what protects them and the providers: at most so
// many notices of a category in a window, sends per second per channel, and
// how many tries a channel gets before the next one.
//
// Test ids: notification-settings-page, nset-form, nset-order-*, nset-quiet,
// nset-quiet-from, nset-quiet-to, nset-day-<day>, nset-tz, nset-category-<c>,
// nset-cap-max-<c>, nset-cap-window-<c>, nset-rate-<channel>, nset-attempts,
// nset-save, nset-error, nset-saved.
import { CSATSettings } from './CSATSettings';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { NOTIFY_CATEGORIES, NOTIFY_CHANNELS, notificationsApi, type NotifyCategory, type NotifySettings } from '../api/notifications';
import { WEEKDAYS } from '../api/supervisor';
import { Notice } from '../components/Notice';
import { t, tMaybe } from '../i18n';
import { useSession } from '../session';
import { AdminPage } from './AdminNav';
import { Field, fieldError, num, Problem } from '../components/admin/form';
import { ChannelOrder, channelLabel, durationProblem, NotifyTabs, shortDuration } from './NotificationFields';

/** Form is the page's editable copy: numbers as typed, so that a field may be left blank. */
interface Form {
  order: string[];
  quiet: boolean;
  from: string;
  to: string;
  days: string[];
  timeZone: string;
  enabled: Record<NotifyCategory, '' | 'on' | 'off'>;
  caps: Record<NotifyCategory, { max: string; window: string }>;
  rates: Record<string, string>;
  attempts: string;
}

function toForm(s: NotifySettings): Form {
  const d = s.defaults ?? {};
  const by = <T,>(f: (c: NotifyCategory) => T) => Object.fromEntries(NOTIFY_CATEGORIES.map((c) => [c, f(c)])) as Record<NotifyCategory, T>;
  return {
    order: d.order ?? [],
    quiet: !!d.quiet_hours,
    from: d.quiet_hours?.from ?? '22:00',
    to: d.quiet_hours?.to ?? '07:00',
    days: d.quiet_hours?.days ?? [],
    timeZone: d.time_zone ?? '',
    enabled: by((c) => {
      const e = d.categories?.[c]?.enabled;
      return e === undefined ? '' : e ? 'on' : 'off';
    }),
    caps: by((c) => ({ max: s.caps?.[c]?.max ? String(s.caps[c]!.max) : '', window: shortDuration(s.caps?.[c]?.window) || '24h' })),
    rates: Object.fromEntries(Object.entries(s.rate_limits ?? {}).map(([k, v]) => [k, String(v)])),
    attempts: s.max_attempts ? String(s.max_attempts) : '',
  };
}

/** fromForm writes the form back over the settings it was read from, keeping what the page does not show. */
function fromForm(base: NotifySettings, f: Form): NotifySettings {
  const categories = { ...(base.defaults?.categories ?? {}) };
  for (const c of NOTIFY_CATEGORIES) {
    const { enabled: _, ...rest } = categories[c] ?? {};
    const e = f.enabled[c];
    if (e) categories[c] = { ...rest, enabled: e === 'on' };
    else if (rest.channels?.length) categories[c] = rest;
    else delete categories[c];
  }
  const caps: NotifySettings['caps'] = {};
  for (const c of NOTIFY_CATEGORIES) if (num(f.caps[c].max) > 0) caps[c] = { max: num(f.caps[c].max), window: f.caps[c].window.trim() };
  const rates: Record<string, number> = {};
  for (const [ch, v] of Object.entries(f.rates)) if (v.trim() && Number(v) > 0) rates[ch] = Number(v);
  return {
    ...base,
    defaults: {
      ...base.defaults,
      order: f.order,
      quiet_hours: f.quiet ? { from: f.from, to: f.to, ...(f.days.length ? { days: f.days } : {}) } : null,
      time_zone: f.timeZone.trim(),
      categories,
    },
    caps,
    rate_limits: rates,
    max_attempts: num(f.attempts),
  };
}

/** NotificationSettingsPage is /admin/notification-settings. */
export function NotificationSettingsPage() {
  const admin = useSession().session.user.role === 'admin';
  const [base, setBase] = useState<NotifySettings | null>(null);
  const [f, setF] = useState<Form | null>(null);
  const [loadError, setLoadError] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    notificationsApi.settings().then(
      (s) => {
        setBase(s);
        setF(toForm(s));
      },
      (err) => setLoadError(errorMessage(err)),
    );
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !base || !f) return;
    const bad = NOTIFY_CATEGORIES.find((c) => f.caps[c].max.trim() && durationProblem(f.caps[c].window));
    if (bad) return document.getElementById(`nset-cap-window-${bad}`)?.focus();
    setBusy(true);
    setError(null);
    setSaved('');
    try {
      const s = await notificationsApi.setSettings(fromForm(base, f));
      setBase(s);
      setF(toForm(s));
      setSaved(t('admin.saved'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AdminPage title="notify.settings.title" intro="notify.settings.intro" testId="notification-settings-page">
      <NotifyTabs admin={admin} />
      <Notice kind="error">{loadError}</Notice>
      <Notice kind="success" testId="nset-saved">{saved}</Notice>
      {!f && !loadError && <p class="muted">{t('app.loading')}</p>}
      {f && <SettingsForm f={f} setF={setF} error={error} busy={busy} onSubmit={submit} />}
      <CSATSettings />
    </AdminPage>
  );
}

interface FormProps {
  f: Form;
  setF: (f: Form) => void;
  error: unknown;
  busy: boolean;
  onSubmit: (e: Event) => void;
}

function SettingsForm({ f, setF, error, busy, onSubmit }: FormProps) {
  const fe = (field: string) => fieldError(error, field);
  const set = (patch: Partial<Form>) => setF({ ...f, ...patch });
  const capProblem = (c: NotifyCategory) => (f.caps[c].max.trim() ? durationProblem(f.caps[c].window) : undefined) ?? fe(`caps.${c}`);
  return (
    <form onSubmit={onSubmit} data-testid="nset-form">
      <section class="panel" aria-labelledby="nset-defaults">
        <h2 id="nset-defaults">{t('notify.settings.defaults')}</h2>
        <p class="muted">{t('notify.settings.defaultsIntro')}</p>
        <ChannelOrder id="nset-order" label={t('notify.settings.order')} hint={t('notify.settings.orderHint')} value={f.order} onChange={(order) => set({ order })} error={fe('defaults.order')} />
        <fieldset class="field">
          <legend>{t('notify.settings.quietHours')}</legend>
          <label class="checkbox">
            <input type="checkbox" checked={f.quiet} onChange={(e) => set({ quiet: e.currentTarget.checked })} data-testid="nset-quiet" />
            <span>{t('notify.settings.quietOn')}</span>
          </label>
          {f.quiet && (
            <>
              <div class="admin-row">
                <label class="admin-inline-label" for="nset-quiet-from">
                  {t('notify.settings.from')}
                </label>
                <input id="nset-quiet-from" type="time" value={f.from} onInput={(e) => set({ from: e.currentTarget.value })} data-testid="nset-quiet-from" />
                <label class="admin-inline-label" for="nset-quiet-to">
                  {t('notify.settings.to')}
                </label>
                <input id="nset-quiet-to" type="time" value={f.to} onInput={(e) => set({ to: e.currentTarget.value })} data-testid="nset-quiet-to" />
              </div>
              <div class="admin-row" role="group" aria-label={t('notify.settings.days')}>
                <span class="admin-inline-label">{t('notify.settings.days')}</span>
                {WEEKDAYS.map((d) => (
                  <label key={d} class="checkbox">
                    <input
                      type="checkbox"
                      checked={f.days.includes(d)}
                      onChange={(e) => set({ days: e.currentTarget.checked ? WEEKDAYS.filter((x) => x === d || f.days.includes(x)) : f.days.filter((x) => x !== d) })}
                      data-testid={`nset-day-${d}`}
                    />
                    <span>{tMaybe(`admin.day.${d}`, d)}</span>
                  </label>
                ))}
              </div>
            </>
          )}
          <p class={fe('defaults.quiet_hours') ? 'field-error' : 'hint'}>{fe('defaults.quiet_hours') ?? t('notify.settings.quietHint')}</p>
        </fieldset>
        <Field id="nset-tz" label={t('notify.settings.timeZone')} hint={t('notify.settings.timeZoneHint')} error={fe('defaults.time_zone') ?? fe('time_zone')}>
          <input id="nset-tz" list="nset-zones" value={f.timeZone} placeholder="Europe/Lisbon" onInput={(e) => set({ timeZone: e.currentTarget.value })} aria-describedby="nset-tz-hint" data-testid="nset-tz" />
        </Field>
        <datalist id="nset-zones">
          {zones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <fieldset class="field">
          <legend>{t('notify.settings.categories')}</legend>
          <p class="hint">{t('notify.settings.categoriesHint')}</p>
          <div class="admin-rows">
            {NOTIFY_CATEGORIES.map((c) => (
              <div key={c} class="admin-row">
                <label class="admin-inline-label" for={`nset-category-${c}`}>
                  {t(`notify.category.${c}`)}
                </label>
                <select id={`nset-category-${c}`} value={f.enabled[c]} onChange={(e) => set({ enabled: { ...f.enabled, [c]: e.currentTarget.value as Form['enabled'][NotifyCategory] } })} data-testid={`nset-category-${c}`}>
                  <option value="">{t(c === 'marketing' ? 'notify.settings.unsetOff' : 'notify.settings.unsetOn')}</option>
                  <option value="on">{t('notify.settings.on')}</option>
                  <option value="off">{t('notify.settings.off')}</option>
                </select>
              </div>
            ))}
          </div>
        </fieldset>
      </section>

      <section class="panel" aria-labelledby="nset-limits">
        <h2 id="nset-limits">{t('notify.settings.limits')}</h2>
        <fieldset class="field">
          <legend>{t('notify.settings.caps')}</legend>
          <p class="hint">{t('notify.settings.capsHint')}</p>
          <div class="admin-rows">
            {NOTIFY_CATEGORIES.map((c) => (
              <div key={c} class="admin-row">
                <span class="admin-inline-label">{t(`notify.category.${c}`)}</span>
                <label class="visually-hidden" for={`nset-cap-max-${c}`}>
                  {t('notify.settings.capMax', { category: t(`notify.category.${c}`) })}
                </label>
                <input
                  id={`nset-cap-max-${c}`}
                  type="number"
                  min={0}
                  placeholder={t('notify.settings.noCap')}
                  value={f.caps[c].max}
                  onInput={(e) => set({ caps: { ...f.caps, [c]: { ...f.caps[c], max: e.currentTarget.value } } })}
                  aria-invalid={capProblem(c) ? true : undefined}
                  data-testid={`nset-cap-max-${c}`}
                />
                <label class="admin-inline-label" for={`nset-cap-window-${c}`}>
                  {t('notify.settings.per')}
                </label>
                <input
                  id={`nset-cap-window-${c}`}
                  value={f.caps[c].window}
                  placeholder="24h"
                  onInput={(e) => set({ caps: { ...f.caps, [c]: { ...f.caps[c], window: e.currentTarget.value } } })}
                  aria-invalid={capProblem(c) ? true : undefined}
                  aria-describedby={capProblem(c) ? `nset-cap-error-${c}` : undefined}
                  data-testid={`nset-cap-window-${c}`}
                />
                {capProblem(c) && (
                  <span id={`nset-cap-error-${c}`} class="field-error" data-testid={`nset-cap-error-${c}`}>
                    {capProblem(c)}
                  </span>
                )}
              </div>
            ))}
          </div>
        </fieldset>
        <fieldset class="field">
          <legend>{t('notify.settings.rates')}</legend>
          <p class="hint">{t('notify.settings.ratesHint')}</p>
          <div class="admin-rows">
            {[...new Set([...NOTIFY_CHANNELS, ...Object.keys(f.rates)])].map((ch) => (
              <div key={ch} class="admin-row">
                <label class="admin-inline-label" for={`nset-rate-${ch}`}>
                  {channelLabel(ch)}
                </label>
                <input
                  id={`nset-rate-${ch}`}
                  type="number"
                  min={0}
                  step="any"
                  placeholder={t('notify.settings.unlimited')}
                  value={f.rates[ch] ?? ''}
                  onInput={(e) => set({ rates: { ...f.rates, [ch]: e.currentTarget.value } })}
                  aria-invalid={fe(`rate_limits.${ch}`) ? true : undefined}
                  data-testid={`nset-rate-${ch}`}
                />
                <span class="admin-inline-label">{t('notify.settings.perSecond')}</span>
                {fe(`rate_limits.${ch}`) && <span class="field-error">{fe(`rate_limits.${ch}`)}</span>}
              </div>
            ))}
          </div>
        </fieldset>
        <Field id="nset-attempts" label={t('notify.settings.attempts')} hint={t('notify.settings.attemptsHint')} error={fe('max_attempts')}>
          <input id="nset-attempts" type="number" min={0} max={20} placeholder="3" value={f.attempts} onInput={(e) => set({ attempts: e.currentTarget.value })} aria-describedby="nset-attempts-hint" data-testid="nset-attempts" />
        </Field>
      </section>

      <Problem error={error} testId="nset-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="nset-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
      </div>
    </form>
  );
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
