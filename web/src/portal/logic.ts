// The portal's pure rules: which page an address shows, what the switches
// show from a preference view (the same precedence as prefs.Decide on the
// server), the channel order, momentary presets and VAPID keys. No DOM, no
// fetch: logic.test.mjs runs them under Node.
import type { Category, Momentary, NotificationType, PreferenceView, Preferences } from '../api/portal';

/** Route is what an address under /portal shows. */
export type Route =
  | { page: 'home' }
  | { page: 'login'; token: string }
  | { page: 'prefs-link'; token: string }
  | { page: 'notice-link'; token: string }
  | { page: 'business'; tenant: string; tab: Tab; notice?: string }
  | { page: 'not-found' };

/** Tab is one part of a business's page. */
export type Tab = 'preferences' | 'notices' | 'contact';

/** parseRoute reads the portal page from a path and the hash (magic links carry #token=). */
export function parseRoute(path: string, hash = ''): Route {
  const parts = path.replace(/\/+$/, '').split('/').slice(1).map(decodeSafe);
  if (parts[0] !== 'portal') return { page: 'not-found' };
  const [, a, b, c, d] = parts;
  if (a === undefined) return { page: 'home' };
  if (a === 'login' && b === undefined) return { page: 'login', token: hashToken(hash) };
  if (a === 'p' && b && c === undefined) return { page: 'prefs-link', token: b };
  if (a === 'n' && b && c === undefined) return { page: 'notice-link', token: b };
  if (a === 'b' && b) {
    if (c === undefined) return { page: 'business', tenant: b, tab: 'preferences' };
    if (c === 'contact' && d === undefined) return { page: 'business', tenant: b, tab: 'contact' };
    if (c === 'notices') return { page: 'business', tenant: b, tab: 'notices', notice: d || undefined };
  }
  return { page: 'not-found' };
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** hashToken reads token from "#token=…" (a fragment never reaches server logs). */
export function hashToken(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

/** businessPath is the address of a business's tab (and an open notice). */
export function businessPath(tenant: string, tab: Tab = 'preferences', notice?: string): string {
  const base = `/portal/b/${encodeURIComponent(tenant)}`;
  if (tab === 'preferences') return base;
  if (tab === 'contact') return `${base}/contact`;
  return notice ? `${base}/notices/${encodeURIComponent(notice)}` : `${base}/notices`;
}

/** NOTIFYING are the channels a business can push a notice on, in a sensible default order. */
export const NOTIFYING = ['sms', 'email', 'webpush', 'voice', 'whatsapp', 'telegram'];

/** WEB is the portal page as a place to read or answer (prefs.Web on the server). */
export const WEB = 'web';

/** channelsOf lists the channels the customer has a say over: those the business's types use or can reach them on. */
export function channelsOf(v: PreferenceView): string[] {
  const out: string[] = [];
  const add = (c: string) => {
    if (c && c !== WEB && !out.includes(c)) out.push(c);
  };
  for (const t of v.types ?? []) for (const c of t.channels ?? []) add(c);
  for (const c of v.effective?.order ?? []) add(c);
  for (const c of NOTIFYING) if ((v.available ?? []).includes(c)) add(c);
  return out;
}

/** orderedChannels ranks channels by order; those it does not name follow in their own order. */
export function orderedChannels(channels: string[], order: string[] | undefined): string[] {
  const ranked = (order ?? []).filter((c) => channels.includes(c));
  return [...new Set([...ranked, ...channels])];
}

/** move returns list with the item at i moved by delta places (clamped). */
export function move<T>(list: T[], i: number, delta: number): T[] {
  const j = Math.max(0, Math.min(list.length - 1, i + delta));
  if (i < 0 || i >= list.length || i === j) return list.slice();
  const out = list.slice();
  const [item] = out.splice(i, 1);
  out.splice(j, 0, item as T);
  return out;
}

/** channelOn tells whether a channel is on: the customer's switch, else the business's default, else on. */
export function channelOn(v: PreferenceView, channel: string): boolean {
  if (v.consent?.[`channel:${channel}`] === false) return false;
  return v.own?.channels?.[channel] ?? v.defaults?.channels?.[channel] ?? true;
}

/** categoryOn tells whether a category is on; marketing is off until the customer agrees to it. */
export function categoryOn(v: PreferenceView, c: Category): boolean {
  if (c === 'critical') return true;
  return (
    v.own?.categories?.[c]?.enabled ??
    v.defaults?.categories?.[c]?.enabled ??
    v.consent?.[`category:${c}`] ??
    c !== 'marketing'
  );
}

/**
 * typeOn tells whether a type is on, as prefs.Decide reads it: the customer's
 * word on the type, then on its category, then the business's on the type,
 * then on the category. Critical types are always on.
 */
export function typeOn(v: PreferenceView, t: NotificationType): boolean {
  if (t.category === 'critical') return true;
  return (
    v.own?.types?.[t.key]?.enabled ??
    v.own?.categories?.[t.category]?.enabled ??
    v.defaults?.types?.[t.key]?.enabled ??
    v.defaults?.categories?.[t.category]?.enabled ??
    v.consent?.[`type:${t.key}`] ??
    v.consent?.[`category:${t.category}`] ??
    t.category !== 'marketing'
  );
}

/** withChannel returns own with channel switched on or off. */
export function withChannel(own: Preferences, channel: string, on: boolean): Preferences {
  return { ...own, channels: { ...own.channels, [channel]: on } };
}

/** withType returns own with a type switched on or off, keeping its channel order. */
export function withType(own: Preferences, key: string, on: boolean): Preferences {
  return { ...own, types: { ...own.types, [key]: { ...own.types?.[key], enabled: on } } };
}

/** withCategory returns own with a category switched on or off. */
export function withCategory(own: Preferences, c: Category, on: boolean): Preferences {
  return { ...own, categories: { ...own.categories, [c]: { ...own.categories?.[c], enabled: on } } };
}

/** DAYS are the quiet-hours days as the server names them, Monday first. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** validTime tells whether s is a "HH:MM" wall-clock time. */
export function validTime(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

/** Preset is one of the quick momentary states. */
export type Preset = 'driving' | 'meeting' | 'dnd';

/** TEXT_CHANNELS are the channels "text only" allows. */
export const TEXT_CHANNELS = ['sms', 'email', 'webpush', 'telegram'];

/**
 * preset builds a quick momentary state at now: driving allows phone calls
 * for an hour where the business can call (`available` has voice) and holds
 * every other notice meanwhile — until voice exists (issue 15) that is all of
 * them, and the page says so; a meeting allows text until the next
 * `meetingUntil` ("HH:MM" local); do not disturb allows nothing until local
 * midnight. Critical notices break all three, as the server records.
 */
export function preset(kind: Preset, now: Date, meetingUntil = '', available: string[] = []): Momentary {
  switch (kind) {
    case 'driving':
      return { state: 'driving', allow_channels: canCall(available) ? ['voice'] : [], until: new Date(now.getTime() + 3600_000).toISOString() };
    case 'meeting':
      return { state: 'meeting', allow_channels: TEXT_CHANNELS, until: nextAt(now, meetingUntil || defaultMeetingEnd(now)).toISOString() };
    case 'dnd':
      return { state: 'do_not_disturb', allow_channels: [], until: endOfDay(now).toISOString() };
  }
}

/** canCall tells whether the business can reach the customer by phone call (the voice channel). */
export function canCall(available: string[] | undefined): boolean {
  return (available ?? []).includes('voice');
}

/** nextAt is the next local time hh:mm after now (today, or tomorrow if it has passed). */
export function nextAt(now: Date, hhmm: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  const d = new Date(now);
  d.setHours(h ?? 0, m ?? 0, 0, 0);
  if (d.getTime() <= now.getTime()) d.setDate(d.getDate() + 1);
  return d;
}

/** endOfDay is the next local midnight. */
export function endOfDay(now: Date): Date {
  const d = new Date(now);
  d.setHours(24, 0, 0, 0);
  return d;
}

/** defaultMeetingEnd is the top of the hour after next, "HH:00": a meeting's likely end. */
export function defaultMeetingEnd(now: Date): string {
  const h = (now.getHours() + 2) % 24;
  return `${String(h).padStart(2, '0')}:00`;
}

/** momentaryActive tells whether a state still holds at now. */
export function momentaryActive(m: Momentary | undefined | null, now: Date): m is Momentary {
  return !!m && Date.parse(m.until) > now.getTime();
}

/** localInputValue formats a date for <input type="datetime-local">. */
export function localInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** vapidKey decodes a base64url VAPID public key for pushManager.subscribe. */
export function vapidKey(base64url: string): Uint8Array<ArrayBuffer> {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4);
  const bin = atob((base64url + pad).replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** CODE is a sign-in code: six digits. */
export const CODE = /^\d{6}$/;

/** cleanCode keeps the digits of what was typed or pasted ("123 456" → "123456"). */
export function cleanCode(s: string): string {
  return s.replace(/\D/g, '').slice(0, 6);
}

/** looksLikeIdentifier accepts an email address or a phone number. */
export function looksLikeIdentifier(s: string): boolean {
  const v = s.trim();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) || /^\+?[\d\s().-]{6,}$/.test(v);
}

/** Part is a run of a notice's text: plain, or a web address to link. */
export type Part = { text: string; url?: string };

/**
 * linkParts splits text into plain runs and http(s) addresses, so that the
 * links in a notice (read it, preferences) can be followed. Trailing
 * punctuation stays text: "see https://x.example/a." links without the dot.
 */
export function linkParts(text: string): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at) });
    out.push({ text: url, url });
    last = at + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
