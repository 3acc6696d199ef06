// The portal's t(): the same {placeholder} rules as the app's i18n.ts, over
// the portal's own catalogue only.
import { PortalError } from '../api/portal';
import { portal } from '../messages/portal';

/** PortalKey names one string of the portal. */
export type PortalKey = keyof typeof portal;

const catalogue: Record<string, string> = portal;

/** t returns the string for key with {placeholders} filled from params. */
export function t(key: PortalKey, params?: Record<string, string | number>): string {
  const text = catalogue[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** tOr looks up a key built at run time (a channel, a status) and falls back to the raw value. */
export function tOr(key: string, fallback: string): string {
  return catalogue[key] ?? fallback;
}

/** channelName is a channel as the customer reads it. */
export function channelName(channel: string): string {
  return tOr(`channel.${channel}`, channel);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** when shows an instant in the browser's zone: the time alone if it is today. */
export function when(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === now.toDateString() ? time.format(d) : dateTime.format(d);
}

/**
 * errorText turns anything a call threw into a sentence for the customer. The
 * server's problem details are written for developers (field paths, flags), so
 * they are never shown as they are; only an address's own fault is quoted.
 */
export function errorText(err: unknown): string {
  if (err instanceof PortalError) {
    if (err.kind === 'cannot-send') return t('error.cannotSend');
    if (err.status === 422) {
      const id = err.fields.find((f) => f.field === 'identifier');
      return id ? t('error.identifier', { reason: id.reason }) : t('error.invalid');
    }
    if (err.status === 429) return t('error.tooMany');
    if (err.status === 404) return t('error.notFound');
    if (err.status >= 500) return t('error.server');
    return t('error.generic');
  }
  if (err instanceof TypeError) return t('app.network');
  return err instanceof Error && err.message ? err.message : t('error.generic'); // the browser's own (push, storage)
}
