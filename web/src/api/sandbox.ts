// The calls of Admin → Sandbox: what the sandbox kept instead of sending,
// simulated customers, the go-live checklist and switch, sandbox copies.
import { request } from '../api';
import type { Tenant } from '../types';

/** SandboxCopy links a sandbox copy to the live workspace it was made from. */
export interface SandboxCopy {
  tenant_id: string;
  source_id: string;
  created_by: string;
  created_at: string;
}

/** SandboxStatus is the workspace's place on the way to live. */
export interface SandboxStatus {
  sandbox: boolean;
  copy_of: SandboxCopy | null;
  copies: SandboxCopy[];
}

/** KeptMessage is one message of the sandbox outbox's list. */
export interface KeptMessage {
  id: string;
  kind: string;
  from: string;
  to: string;
  subject: string;
  has_html: boolean;
  created_at: string;
}

/** KeptMessageDetail is what would have been sent, whole. */
export interface KeptMessageDetail extends Omit<KeptMessage, 'has_html'> {
  body: string;
  body_html: string;
  detail: Record<string, unknown>;
  ref: string;
}

/** ChecklistItem is one thing going live needs. */
export interface ChecklistItem {
  key: string;
  title: string;
  ok: boolean;
  detail: string;
  guidance?: string[];
}

/** Checklist is the workspace's readiness to go live. */
export interface Checklist {
  sandbox: boolean;
  ready: boolean;
  items: ChecklistItem[];
}

/** Simulation is a made-up customer message. */
export interface Simulation {
  channel: 'email' | 'sms' | 'webchat';
  from: string;
  name: string;
  subject: string;
  body: string;
}

const enc = encodeURIComponent;

/** sandboxApi lists the sandbox's calls. */
export const sandboxApi = {
  status: () => request<SandboxStatus>('GET', '/api/v1/sandbox'),
  outbox: async () => (await request<{ items: KeptMessage[] }>('GET', '/api/v1/sandbox/outbox')).items,
  message: (id: string) => request<KeptMessageDetail>('GET', `/api/v1/sandbox/outbox/${enc(id)}`),
  /** htmlURL is where a kept mail's HTML is served inert, for a sandboxed frame. */
  htmlURL: (id: string) => `/api/v1/sandbox/outbox/${enc(id)}/html`,
  simulate: (s: Simulation) =>
    request<{ conversation_id: string; message_id: string; persona_id: string }>('POST', '/api/v1/sandbox/simulate', { body: s }),
  checklist: () => request<Checklist>('GET', '/api/v1/sandbox/checklist'),
  goLive: () => request<Checklist>('POST', '/api/v1/sandbox/go-live'),
  openCopy: () => request<{ tenant: Tenant; source_id: string; copied: Record<string, number> }>('POST', '/api/v1/sandbox/copies'),
};
