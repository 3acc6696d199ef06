// One small client for the Switchboard JSON API: same-origin fetches with the
// session cookie, RFC 9457 problem details turned into ApiError, and an
// Idempotency-Key on every POST.
import { t } from './i18n';
import type {
  ApiKey, CreatedApiKey, CreatedWebhook, Delivery, DeliveryDetail, Page, Presence,
  Session, User, WebhookEndpoint,
} from './types';

/** FieldError names one invalid input and why. */
export interface FieldError {
  field: string;
  reason: string;
}

/** ApiError is a failed request; message is the problem's detail, fit to show to the user. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly fieldErrors: FieldError[];
  /** kind is the problem type's last part, e.g. second-factor-needed. */
  kind = '';

  constructor(status: number, title: string, detail: string, fieldErrors: FieldError[] = []) {
    super(detail || title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.fieldErrors = fieldErrors;
  }

  /** fieldError returns the reason given for field, if any. */
  fieldError(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.reason;
  }
}

/** errorMessage turns anything thrown by the client into a sentence for the user. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return t('error.network');
  return err instanceof Error ? err.message : String(err);
}

let onUnauthorized: (() => void) | undefined;

/** setUnauthorizedHandler is called once by the app: what to do when the session has ended. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/** newIdempotencyKey returns a random UUID, also outside secure contexts where randomUUID is missing. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface RequestOptions {
  body?: unknown;
  /** idempotencyKey overrides the fresh key a POST gets otherwise. */
  idempotencyKey?: string;
  /** public requests (login, password reset) do not end the session on 401. */
  public?: boolean;
}

/** request calls the API; area modules (web/src/api/…) build on it. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST') headers['Idempotency-Key'] = opts.idempotencyKey ?? newIdempotencyKey();

  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });

  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const err = await problem(res);
  if (res.status === 401 && !opts.public) onUnauthorized?.();
  throw err;
}

async function problem(res: Response): Promise<ApiError> {
  let body: { type?: string; title?: string; detail?: string; errors?: FieldError[] } = {};
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy error page, say): fall back to the status line.
  }
  const title = body.title || res.statusText || t('error.unexpected', { status: res.status });
  const detail = body.detail || title;
  const err = new ApiError(res.status, title, detail, Array.isArray(body.errors) ? body.errors : []);
  err.kind = (body.type ?? '').replace('urn:switchboard:problem:', '');
  return err;
}

/** query builds a ?query string, leaving out empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

/** api lists every call the UI makes, one line each. */
export const api = {
  login: (tenant: string, email: string, password: string, code?: string) =>
    request<Session>('POST', '/api/v1/auth/login', { body: { tenant, email, password, ...(code ? { code } : {}) }, public: true }),
  logout: () => request<void>('POST', '/api/v1/auth/logout', { public: true }),
  me: () => request<Session>('GET', '/api/v1/me'),
  setPresence: (presence: Presence) => request<User>('PUT', '/api/v1/me/presence', { body: { presence } }),
  requestPasswordReset: (tenant: string, email: string) =>
    request<void>('POST', '/api/v1/auth/password-reset', { body: { tenant, email }, public: true }),
  confirmPasswordReset: (token: string, password: string) =>
    request<void>('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password }, public: true }),

  eventTypes: () => request<{ items: string[] }>('GET', '/api/v1/event-types'),

  webhooks: (cursor?: string) => request<Page<WebhookEndpoint>>('GET', `/api/v1/webhooks${query({ limit: 50, cursor })}`),
  webhook: (id: string) => request<WebhookEndpoint>('GET', `/api/v1/webhooks/${enc(id)}`),
  createWebhook: (body: { url: string; description: string; event_types: string[] }, idempotencyKey: string) =>
    request<CreatedWebhook>('POST', '/api/v1/webhooks', { body, idempotencyKey }),
  updateWebhook: (id: string, body: Partial<Pick<WebhookEndpoint, 'url' | 'description' | 'event_types' | 'active'>>) =>
    request<WebhookEndpoint>('PATCH', `/api/v1/webhooks/${enc(id)}`, { body }),
  deleteWebhook: (id: string) => request<void>('DELETE', `/api/v1/webhooks/${enc(id)}`),
  pingWebhook: (id: string) => request<{ delivery_id: string }>('POST', `/api/v1/webhooks/${enc(id)}/ping`),
  deliveries: (endpointID: string, cursor?: string) =>
    request<Page<Delivery>>('GET', `/api/v1/webhooks/${enc(endpointID)}/deliveries${query({ limit: 50, cursor })}`),
  delivery: (id: string) => request<DeliveryDetail>('GET', `/api/v1/webhook-deliveries/${enc(id)}`),
  replayDelivery: (id: string) => request<unknown>('POST', `/api/v1/webhook-deliveries/${enc(id)}/replay`),

  apiKeys: (cursor?: string) => request<Page<ApiKey>>('GET', `/api/v1/api-keys${query({ limit: 50, cursor })}`),
  createApiKey: (body: { name: string; scopes: string[] }, idempotencyKey: string) =>
    request<CreatedApiKey>('POST', '/api/v1/api-keys', { body, idempotencyKey }),
  revokeApiKey: (id: string) => request<void>('DELETE', `/api/v1/api-keys/${enc(id)}`),
};
