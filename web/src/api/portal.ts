// The consumer portal's calls to /portal/api. The portal is its own small app
// (portal.html) and must not pull in the agents' bundle, so it has its own
// client here instead of ../api.ts (whose catalogue holds every desk string).
// The session is the HttpOnly cookie sb_portal; every write is same-origin.

/** PortalSession is who is signed in: an identifier, or one persona reached by a signed link. */
export interface PortalSession {
  identifier: string;
  /** tenant_id and persona_id are set when the session is limited to one business's persona. */
  tenant_id?: string;
  persona_id?: string;
  expires_at: string;
}

/** LinkResult is what opening a signed link gives: a session, and the notice a read link was for. */
export interface LinkResult {
  session: PortalSession;
  notice_id?: string;
}

/** Business is one business the customer is known to, as one persona there. */
export interface Business {
  tenant_id: string;
  tenant_name: string;
  persona_id: string;
  persona_name: string;
  unread: number;
}

export type Category = 'critical' | 'transactional' | 'marketing';

/** TypePref switches a notification type or a category on or off, and may reorder its channels. */
export interface TypePref {
  enabled?: boolean;
  channels?: string[];
}

/** QuietHours are "HH:MM" times in the customer's zone; days "mon".."sun", none for every day. */
export interface QuietHours {
  from: string;
  to: string;
  days?: string[];
}

/** Momentary is a state the customer is in until a time: only allow_channels are used meanwhile. */
export interface Momentary {
  state: string;
  allow_channels?: string[];
  until: string;
}

/** Preferences are the customer's own settings at one business; unset fields take the business's defaults. */
export interface Preferences {
  channels?: Record<string, boolean>;
  types?: Record<string, TypePref>;
  categories?: Partial<Record<Category, TypePref>>;
  order?: string[];
  retrieval?: string;
  response?: string;
  quiet_hours?: QuietHours;
  time_zone?: string;
  momentary?: Momentary;
}

/** NotificationType is a kind of notice the business sends. */
export interface NotificationType {
  key: string;
  name: string;
  category: Category;
  channels: string[];
  reply_expected: boolean;
}

/** PreferenceView is the preference page: the customer's own settings, the business's defaults and the merge. */
export interface PreferenceView {
  persona_id: string;
  own: Preferences;
  defaults: Preferences;
  effective: Preferences;
  /** consent is the consent ledger's current word by scope ("type:x", "category:marketing", "channel:sms"). */
  consent?: Record<string, boolean>;
  types: NotificationType[];
  /** available are the channels the business can reach this customer on. */
  available: string[];
}

/** Step is one entry of a notice's status timeline. */
export interface Step {
  at: string;
  status: string;
  channel?: string;
  detail?: string;
}

/** Notice is one notification the customer received. */
export interface Notice {
  id: string;
  type: string;
  category: Category;
  channel: string;
  status: string;
  reply_expected: boolean;
  subject: string;
  body: string;
  steps?: Step[];
  created_at: string;
  updated_at: string;
}

/** Message is one message of a contact-us conversation: "in" from the customer, "out" from the business. */
export interface Message {
  id: string;
  direction: 'in' | 'out';
  channel: string;
  body: string;
  status: string;
  created_at: string;
}

/** Conversation is a thread with the business, newest first in lists. */
export interface Conversation {
  id: string;
  subject: string;
  status: string;
  channel: string;
  last_message_at: string;
  created_at: string;
}

/** PushSubscriptionBody is what the browser's PushSubscription.toJSON() gives. */
export interface PushSubscriptionBody {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** PortalError is a failed call; message is the problem's detail, fit to show. */
export class PortalError extends Error {
  readonly status: number;
  readonly fields: { field: string; reason: string }[];
  /** kind is the problem's type without its prefix ("cannot-send", "validation"), for choosing what to tell the customer. */
  readonly kind: string;

  constructor(status: number, message: string, fields: { field: string; reason: string }[] = [], kind = '') {
    super(message);
    this.name = 'PortalError';
    this.status = status;
    this.fields = fields;
    this.kind = kind;
  }
}

let onSignedOut: (() => void) | undefined;

/** setSignedOutHandler is called once by the portal: what to do when a call finds no session. */
export function setSignedOutHandler(fn: () => void): void {
  onSignedOut = fn;
}

interface Options {
  body?: unknown;
  /** quiet calls (who am I, sign-in) do not end the session on 401. */
  quiet?: boolean;
}

async function call<T>(method: string, path: string, o: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST') headers['Idempotency-Key'] = randomKey();
  const res = await fetch(`/portal/api${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  if (res.ok) {
    const text = res.status === 204 ? '' : await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  let p: { type?: string; title?: string; detail?: string; errors?: { field: string; reason: string }[] } = {};
  try {
    p = await res.json();
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  if (res.status === 401 && !o.quiet) onSignedOut?.();
  const kind = (p.type ?? '').replace(/^urn:switchboard:problem:/, '');
  throw new PortalError(res.status, p.detail || p.title || res.statusText || `HTTP ${res.status}`, p.errors ?? [], kind);
}

function randomKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** items reads a list answer, whether the server wraps it in {items} or not. */
function items<T>(r: { items?: T[] | null } | T[] | null | undefined): T[] {
  if (Array.isArray(r)) return r;
  return r?.items ?? [];
}

const biz = (tenantID: string) => `/businesses/${encodeURIComponent(tenantID)}`;

/** portalApi lists every call the portal makes, one line each. */
export const portalApi = {
  signIn: (identifier: string) => call<void>('POST', '/sign-in', { body: { identifier }, quiet: true }),
  verify: (identifier: string, code: string) =>
    call<PortalSession>('POST', '/verify', { body: { identifier, code }, quiet: true }),
  openLink: (token: string) => call<LinkResult>('POST', '/link', { body: { token }, quiet: true }),
  me: () => call<PortalSession>('GET', '/me', { quiet: true }),
  signOut: () => call<void>('POST', '/sign-out', { quiet: true }),

  businesses: async () => items(await call<{ items?: Business[] } | Business[]>('GET', '/businesses')),
  preferences: (t: string) => call<PreferenceView>('GET', `${biz(t)}/preferences`),
  setPreferences: (t: string, p: Preferences) => call<PreferenceView>('PUT', `${biz(t)}/preferences`, { body: p }),
  setMomentary: (t: string, m: Momentary | null) => call<PreferenceView>('PUT', `${biz(t)}/momentary`, { body: { momentary: m } }),

  notices: (t: string, cursor?: string) =>
    call<{ items: Notice[]; next_cursor?: string }>('GET', `${biz(t)}/notices${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
  notice: (t: string, id: string) => call<Notice>('GET', `${biz(t)}/notices/${encodeURIComponent(id)}`),

  contact: (t: string, body: string, deliveryID?: string) =>
    call<{ conversation_id: string }>('POST', `${biz(t)}/contact`, { body: { body, delivery_id: deliveryID || undefined } }),
  conversations: async (t: string) =>
    items(await call<{ items?: Conversation[] } | Conversation[]>('GET', `${biz(t)}/conversations`)),
  messages: async (t: string, conversationID: string) =>
    items(await call<{ items?: Message[] } | Message[]>('GET', `${biz(t)}/conversations/${encodeURIComponent(conversationID)}/messages`)),

  vapidKey: () => call<{ public_key: string }>('GET', '/vapid-key'),
  subscribePush: (t: string, sub: PushSubscriptionBody) => call<void>('POST', `${biz(t)}/push-subscriptions`, { body: sub }),
};
