// The context connectors' calls: the admin's connectors and a customer's context.
// Built on the shared client in ../api.
import { request } from '../api';

const enc = encodeURIComponent;
const base = '/api/v1/context/connectors';

/** ContextConnector is a business system the workspace connected (never its secret). */
export interface ContextConnector {
  id: string;
  name: string;
  url: string;
  budget_ms: number;
  cache_ttl_seconds: number;
  active: boolean;
  created_at: string;
  updated_at: string;
  secret?: string;
}

/** ContextItem is one thing a system knows about the customer. */
export interface ContextItem {
  type: string;
  title: string;
  fields?: { label: string; value: string }[];
  status?: string;
  amount?: { value: string; currency: string };
  date?: string;
  link?: string;
  importance?: 'high' | 'normal' | 'low';
  reason?: string;
}

/** SourceStatus is how one connector's part came back. */
export type SourceStatus = 'ok' | 'cached' | 'timeout' | 'error' | 'bad_signature' | 'open_circuit';

/** ContextSource is one connector's part of a customer's context. */
export interface ContextSource {
  connector_id: string;
  name: string;
  status: SourceStatus;
  items: ContextItem[];
  error?: string;
  http_status?: number;
  duration_ms: number;
}

/** ConnectorStats are a connector's figures. */
export interface ConnectorStats {
  window_hours: number;
  calls: number;
  errors: number;
  by_status: Record<string, number>;
  p50_ms: number;
  p95_ms: number;
  last_call_at?: string;
  last_error: string;
  breaker: 'closed' | 'open' | 'half_open';
}

/** NewConnector is what the add form sends. */
export interface NewConnector {
  name: string;
  url: string;
  budget_ms: number;
  cache_ttl_seconds: number;
}

/** contextApi lists every call of the context connectors, one line each. */
export const contextApi = {
  list: () => request<{ items: ContextConnector[] }>('GET', base),
  create: (body: NewConnector, idempotencyKey: string) => request<ContextConnector>('POST', base, { body, idempotencyKey }),
  update: (id: string, body: Partial<Pick<ContextConnector, 'name' | 'url' | 'budget_ms' | 'cache_ttl_seconds' | 'active'>>) =>
    request<ContextConnector>('PATCH', `${base}/${enc(id)}`, { body }),
  remove: (id: string) => request<void>('DELETE', `${base}/${enc(id)}`),
  test: (id: string, personaID: string) => request<ContextSource>('POST', `${base}/${enc(id)}/test`, { body: { persona_id: personaID } }),
  stats: (id: string) => request<ConnectorStats>('GET', `${base}/${enc(id)}/stats`),
  forPersona: (personaID: string) =>
    request<{ persona_id: string; sources: ContextSource[]; took_ms: number }>('GET', `/api/v1/personas/${enc(personaID)}/context`),
};
