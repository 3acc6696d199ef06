// The calls of the notification pages and of the customer panel's
// notifications: types, settings, deliveries with their timelines, events, and
// a persona's consent ledger. Built on the shared client in ../api.
import { query, request } from '../api';
import type {
  ConsentRecord, NotificationType, NotificationTypeInput, NotifyDelivery, NotifyDeliveryView, NotifyEvent,
  NotifySettings, Page,
} from '../types';

export { NOTIFY_CATEGORIES, NOTIFY_CHANNELS } from '../types';
export type {
  ConsentRecord, NotificationTemplate, NotificationType, NotificationTypeInput, NotifyCap, NotifyCategory,
  NotifyDelivery, NotifyDeliveryView, NotifyEvent, NotifyPreferences, NotifySettings, NotifyStatus, NotifyStep,
} from '../types';

/** DeliveryFilter narrows the deliveries list; every field is optional. */
export interface DeliveryFilter {
  persona_id?: string;
  event_id?: string;
  status?: string;
}

/** EventSummary is GET /notifications/events/{id}: the event, and its counts by status when the API gives them. */
export interface EventSummary {
  event: NotifyEvent;
  counts?: Record<string, number>;
}

const enc = encodeURIComponent;

/** items reads a list answer that is either {items} or a bare array. */
function items<T>(v: { items?: T[] } | T[] | null | undefined): T[] {
  if (Array.isArray(v)) return v;
  return Array.isArray(v?.items) ? v.items : [];
}

/** eventSummary accepts the event alone or wrapped as {event, counts}. */
function eventSummary(v: NotifyEvent | EventSummary): EventSummary {
  return 'event' in v && v.event ? v : { event: v as NotifyEvent };
}

const persona = (id: string) => `/api/v1/personas/${enc(id)}`;

/** notificationsApi lists every call of the notification pages, one line each. */
export const notificationsApi = {
  types: async () => items(await request<{ items?: NotificationType[] } | NotificationType[]>('GET', '/api/v1/notifications/types')),
  createType: (body: NotificationTypeInput, idempotencyKey: string) =>
    request<NotificationType>('POST', '/api/v1/notifications/types', { body, idempotencyKey }),
  updateType: (key: string, body: NotificationTypeInput) => request<NotificationType>('PUT', `/api/v1/notifications/types/${enc(key)}`, { body }),
  deleteType: (key: string) => request<void>('DELETE', `/api/v1/notifications/types/${enc(key)}`),

  settings: () => request<NotifySettings>('GET', '/api/v1/notifications/settings'),
  setSettings: (body: NotifySettings) => request<NotifySettings>('PUT', '/api/v1/notifications/settings', { body }),

  deliveries: (f: DeliveryFilter, cursor?: string, limit = 50) =>
    request<Page<NotifyDelivery>>('GET', `/api/v1/notifications/deliveries${query({ ...f, limit, cursor })}`),
  delivery: (id: string) => request<NotifyDeliveryView>('GET', `/api/v1/notifications/deliveries/${enc(id)}`),
  event: async (id: string) => eventSummary(await request<NotifyEvent | EventSummary>('GET', `/api/v1/notifications/events/${enc(id)}`)),

  consent: async (personaID: string) =>
    items(await request<{ items?: ConsentRecord[] } | ConsentRecord[]>('GET', `${persona(personaID)}/consent`)),
  recordConsent: (personaID: string, body: { scope: string; granted: boolean; note: string }, idempotencyKey: string) =>
    request<ConsentRecord>('POST', `${persona(personaID)}/consent`, { body, idempotencyKey }),
};

/** consentExportURL is where a persona's ledger downloads as JSON, to keep or to hand to the customer. */
export function consentExportURL(personaID: string): string {
  return `${persona(personaID)}/consent/export`;
}

/** consentState is the latest word of the ledger per scope, as the ledger itself reads it. */
export function consentState(records: ConsentRecord[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const r of [...records].sort((a, b) => a.seq - b.seq)) out[r.scope] = r.granted;
  return out;
}

/** countByStatus counts deliveries per status. */
export function countByStatus(ds: NotifyDelivery[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of ds) out[d.status] = (out[d.status] ?? 0) + 1;
  return out;
}
