// What the notification admin pages share: the links between them, the
// channel-order editor (a ranked list: the first channel is tried first, the
// others are fallbacks) and the reading and checking of durations.
//
// Test ids: notify-tabs, notify-tab-<page>; <id>-item (data-channel),
// <id>-up, <id>-down, <id>-remove, <id>-add, <id>-pick.
import { useState } from 'preact/hooks';
import { NOTIFY_CHANNELS } from '../api/notifications';
import { t, tMaybe, type MessageKey } from '../i18n';
import { Link, useLocation } from '../router';

const TABS: { href: string; label: MessageKey; admin: boolean }[] = [
  { href: '/admin/notifications', label: 'notify.tab.activity', admin: false },
  { href: '/admin/notification-types', label: 'notify.tab.types', admin: true },
  { href: '/admin/notification-settings', label: 'notify.tab.settings', admin: true },
];

/** NotifyTabs links the notification pages the user may open, marking the current one. */
export function NotifyTabs({ admin }: { admin: boolean }) {
  const here = useLocation().pathname;
  return (
    <nav class="toolbar" aria-label={t('notify.tabs')} data-testid="notify-tabs">
      {TABS.filter((x) => admin || !x.admin).map((x) => (
        <Link
          key={x.href}
          href={x.href}
          class={here === x.href ? 'button button-small button-primary' : 'button button-small'}
          aria-current={here === x.href ? 'page' : undefined}
          data-testid={`notify-tab-${x.href.slice(7)}`}
        >
          {t(x.label)}
        </Link>
      ))}
    </nav>
  );
}

/** channelLabel names a channel for people ("Web push"); unknown ones show as they are. */
export function channelLabel(ch: string): string {
  return tMaybe(`notify.channel.${ch}`, ch);
}

/** shortDuration turns the API's "15m0s" into "15m", and "0s" into "". */
export function shortDuration(d: string | undefined): string {
  if (!d || d === '0s') return '';
  return d.replace(/(\d)h0m0s$/, '$1h').replace(/(\d)m0s$/, '$1m').replace(/^0h/, '');
}

const DURATION = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

/**
 * durationProblem says why s is not a duration the server reads (Go's: "15m",
 * "1h30m", "168h"; no days), or nothing when it is one or empty.
 */
export function durationProblem(s: string): string | undefined {
  const v = s.trim();
  return !v || v === '0' || DURATION.test(v) ? undefined : t('notify.duration.invalid');
}

interface OrderProps {
  id: string;
  label: string;
  hint: string;
  value: string[];
  onChange: (v: string[]) => void;
  error?: string;
  /** choices are the channels that may be added; NOTIFY_CHANNELS by default. */
  choices?: readonly string[];
}

/** ChannelOrder edits a ranked list of channels with buttons, so the keyboard can reorder it too. */
export function ChannelOrder({ id, label, hint, value, onChange, error, choices = NOTIFY_CHANNELS }: OrderProps) {
  const left = choices.filter((c) => !value.includes(c));
  const [pick, setPick] = useState('');
  const chosen = left.includes(pick) ? pick : (left[0] ?? '');
  const move = (i: number, by: number) => {
    const next = [...value];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x!);
    onChange(next);
  };
  return (
    <fieldset class="field" aria-describedby={`${id}-hint`}>
      <legend>{label}</legend>
      {value.length === 0 ? (
        <p class="muted small">{t('notify.order.empty')}</p>
      ) : (
        <ol class="admin-rows">
          {value.map((ch, i) => (
            <li key={ch} class="admin-row" data-testid={`${id}-item`} data-channel={ch}>
              <span class="admin-inline-label">
                {i + 1}. {channelLabel(ch)}
              </span>
              <button type="button" class="button button-small" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('notify.order.up', { channel: channelLabel(ch) })} data-testid={`${id}-up`}>
                ↑
              </button>
              <button
                type="button"
                class="button button-small"
                disabled={i === value.length - 1}
                onClick={() => move(i, 1)}
                aria-label={t('notify.order.down', { channel: channelLabel(ch) })}
                data-testid={`${id}-down`}
              >
                ↓
              </button>
              <button
                type="button"
                class="button button-small button-quiet"
                onClick={() => onChange(value.filter((x) => x !== ch))}
                aria-label={`${t('admin.remove')}: ${channelLabel(ch)}`}
                data-testid={`${id}-remove`}
              >
                {t('admin.remove')}
              </button>
            </li>
          ))}
        </ol>
      )}
      {left.length > 0 && (
        <div class="admin-row">
          <label class="visually-hidden" for={`${id}-pick`}>
            {t('notify.order.pick')}
          </label>
          <select id={`${id}-pick`} value={chosen} onChange={(e) => setPick(e.currentTarget.value)} data-testid={`${id}-pick`}>
            {left.map((c) => (
              <option key={c} value={c}>
                {channelLabel(c)}
              </option>
            ))}
          </select>
          <button type="button" class="button button-small" onClick={() => chosen && onChange([...value, chosen])} data-testid={`${id}-add`}>
            {t('notify.order.add')}
          </button>
        </div>
      )}
      <p id={`${id}-hint`} class={error ? 'field-error' : 'hint'}>
        {error ?? hint}
      </p>
    </fieldset>
  );
}
