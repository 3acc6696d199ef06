// The operator API (/api/operator/v1): the console's only backend. The token
// lives in an HttpOnly cookie set at sign-in, never in script.

export type Limits = { agents: number | null; notices_per_month: number | null; storage_bytes: number | null };
export type Warning = { limit: keyof Limits; used: number; cap: number };
export type Usage = {
  tenant_id: string;
  tenant_slug: string;
  month: string;
  conversations: number;
  messages: { channel: string; inbound: number; outbound: number }[];
  notices_sent: number;
  agents_active: number;
  agents: number;
  storage_bytes: number;
};
export type TenantView = {
  tenant: { id: string; slug: string; name: string; sandbox: boolean; created_at: string };
  state: 'sandbox' | 'live' | 'suspended';
  suspension: { reason: string; by: string; since: string } | null;
  limits: Limits;
  usage: Usage;
  warnings: Warning[];
};

/** ApiError is a problem answer: its detail is meant for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const base = '/api/operator/v1';

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, (data as { detail?: string }).detail ?? res.statusText);
  return data as T;
}

/** usageCSV is the download link of a tenant's (or, without one, every tenant's) usage this month. */
export function usageCSV(tenantID?: string): string {
  return tenantID ? `${base}/tenants/${tenantID}/usage?format=csv` : `${base}/usage?format=csv`;
}
