// The calls the conversation view and the customer panel make, with the JSON
// shapes they use. Built on the shared client in ../api.
import { ApiError, newIdempotencyKey, query, request } from '../api';
import type { CannedResponse, ChannelInfo, Conversation, Macro, Page, User } from '../types';

export type { CannedResponse, ChannelInfo, Conversation, ConversationStatus, Macro } from '../types';

const enc = encodeURIComponent;

/** ConversationPatch changes some of a conversation's fields. */
export type ConversationPatch = Partial<Pick<Conversation, 'assignee_id' | 'team' | 'priority' | 'tags' | 'snoozed_until'>> & {
  status?: 'open' | 'pending' | 'resolved';
};

/** Attachment is a file carried by a message. */
export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  content_id?: string;
}

/** MessageStatus is a message's delivery state. */
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** Message is one item of the timeline: a message, an internal note or a system item. */
export interface Message {
  id: string;
  tenant_id: string;
  conversation_id: string;
  kind: 'message' | 'note' | 'system';
  direction?: 'in' | 'out';
  channel: string;
  author_type: 'persona' | 'user' | 'api_key' | 'business' | 'system';
  author_id: string;
  body: string;
  body_html?: string;
  attachments: Attachment[];
  external_id?: string;
  status: MessageStatus;
  meta?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** Identifier is one way to reach a persona; verified_by says how it was proven (on a claim, "unverified_form"). */
export interface Identifier {
  kind: string;
  value: string;
  verified: boolean;
  verified_by?: string;
  verified_at?: string;
}

/** Persona is the customer behind a conversation. */
export interface Persona {
  id: string;
  tenant_id: string;
  name: string;
  time_zone: string;
  language: string;
  attributes: Record<string, string>;
  merged_into?: string;
  identifiers: Identifier[];
  /** claims are addresses typed into a form, never proven: shown, never matched. */
  claims?: Identifier[];
  created_at: string;
  updated_at: string;
}

/** PersonaPatch changes some of a persona's fields. */
export type PersonaPatch = Partial<Pick<Persona, 'name' | 'time_zone' | 'language' | 'attributes'>>;

/** SLAClock is one SLA target's clock on a conversation. */
export interface SLAClock {
  target: 'first_response' | 'next_response' | 'resolution';
  policy_id: string;
  state: 'running' | 'warned' | 'met' | 'breached' | 'stopped' | 'paused';
  breached: boolean;
  started_at: string;
  warn_at?: string;
  due_at?: string;
  done_at?: string;
  paused_at?: string; // the conversation waits on the customer and its policy pauses meanwhile
}

/** RoutingDecision is one step of the routing trail. */
export interface RoutingDecision {
  id: string;
  work_id: string;
  conversation_id: string;
  kind: string;
  agent_id: string;
  queue_id: string;
  offer_id: string;
  reason: string;
  at: string;
}

/** CriteriaStep is one routing step: skills at minimum levels, or named agents, for a time. */
export interface CriteriaStep {
  skills?: Record<string, number>;
  any_of?: Record<string, number>[];
  agents?: string[];
  expiry_seconds?: number;
}

/** RoutingCriteria is where a conversation's waiting work stands in its routing steps. */
export interface RoutingCriteria {
  conversation_id: string;
  work_id: string;
  queue_id: string;
  state: 'none' | 'waiting' | 'offered';
  from_queue: boolean;
  step: number;
  steps: CriteriaStep[];
  descriptions: string[];
  step_started_at: string | null;
  step_expires_at: string | null;
}

/** Queue is a routing queue, as far as the transfer menu needs it. */
export interface Queue {
  id: string;
  name: string;
}

/** Availability is an agent as the transfer and assignee pickers show them. */
export interface Availability {
  user_id: string;
  name: string;
  presence: string;
  /** routable tells whether the presence receives work. */
  routable: boolean;
  load: Record<string, number>;
  capacity: Record<string, number>;
}

/** UploadedFile is what POST /attachments answers. */
export interface UploadedFile {
  id: string;
  name: string;
  content_type: string;
  size: number;
}

/** Transfer names where a conversation goes: an agent or a queue. */
export type Transfer = { agent_id: string; note?: string } | { queue_id: string; note?: string };

/** TemplateRef sends a provider-approved template instead of free text (a reply's "template"). */
export interface TemplateRef {
  name: string;
  language: string;
  variables: string[];
}

/** ChannelTemplate is a WhatsApp template as agents see it. */
export interface ChannelTemplate {
  id: string;
  name: string;
  language: string;
  body: string;
  status: string;
}

const conv = (id: string) => `/api/v1/conversations/${enc(id)}`;

/** conversationApi lists every call of the conversation view, one line each. */
export const conversationApi = {
  conversation: (id: string) => request<Conversation>('GET', conv(id)),
  updateConversation: (id: string, body: ConversationPatch) => request<Conversation>('PATCH', conv(id), { body }),
  messages: (id: string, cursor?: string) =>
    request<Page<Message>>('GET', `${conv(id)}/messages${query({ limit: 100, cursor })}`),
  reply: (id: string, body: { channel?: string; body: string; subject?: string; attachment_ids?: string[]; quick_replies?: string[]; template?: TemplateRef }, idempotencyKey?: string) =>
    request<Message>('POST', `${conv(id)}/messages`, { body, idempotencyKey }),
  note: (id: string, body: string, idempotencyKey?: string) =>
    request<Message>('POST', `${conv(id)}/notes`, { body: { body }, idempotencyKey }),
  typing: (id: string, on: boolean) => request<void>('POST', `${conv(id)}/typing`, { body: { on } }),
  markRead: (id: string, messageID: string) => request<void>('POST', `${conv(id)}/read`, { body: { message_id: messageID } }),
  routing: (id: string) => request<Page<RoutingDecision>>('GET', `${conv(id)}/routing`),
  routingCriteria: (id: string) => request<RoutingCriteria>('GET', `${conv(id)}/routing-criteria`),
  sla: (id: string) => request<Page<SLAClock>>('GET', `${conv(id)}/sla`),
  transfer: (id: string, body: Transfer) => request<Conversation>('POST', `${conv(id)}/transfer`, { body }),
  availability: () => request<Page<Availability>>('GET', '/api/v1/agents/availability'),
  renderCanned: (id: string, cannedID: string) =>
    request<{ body: string; unknown_variables?: string[] }>('POST', `${conv(id)}/canned-responses/${enc(cannedID)}/render`),
  /** preview fills a draft's variables for the conversation, as the server fills a canned response. */
  preview: (id: string, body: string) =>
    request<{ body: string; unknown_variables?: string[] }>('POST', `${conv(id)}/preview`, { body: { body } }),
  runMacro: (id: string, macroID: string) => request<Conversation>('POST', `${conv(id)}/macros/${enc(macroID)}/run`),

  persona: (id: string) => request<Persona>('GET', `/api/v1/personas/${enc(id)}`),
  updatePersona: (id: string, body: PersonaPatch) => request<Persona>('PATCH', `/api/v1/personas/${enc(id)}`, { body }),
  addIdentifier: (id: string, body: { kind: string; value: string }) =>
    request<Persona>('POST', `/api/v1/personas/${enc(id)}/identifiers`, { body }),
  personaConversations: (personaID: string) =>
    request<Page<Conversation>>('GET', `/api/v1/conversations${query({ persona_id: personaID, limit: 20 })}`),

  channels: () => request<{ items: ChannelInfo[] }>('GET', '/api/v1/channels'),
  users: () => allPages<User>((cursor) => `/api/v1/users${query({ limit: 100, cursor })}`),
  queues: () => allPages<Queue>((cursor) => `/api/v1/queues${query({ limit: 100, cursor })}`),
  cannedResponses: () => request<{ items: CannedResponse[] }>('GET', '/api/v1/canned-responses'),
  macros: () => request<{ items: Macro[] }>('GET', '/api/v1/macros'),
  whatsAppTemplates: () => request<{ items: ChannelTemplate[] }>('GET', '/api/v1/whatsapp/templates'),
  upload: (file: File) => uploadFile(file),
};

// allPages follows next_cursor (up to 20 pages) and returns every item as one page.
async function allPages<T>(path: (cursor?: string) => string): Promise<Page<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const p = await request<Page<T>>('GET', path(cursor));
    items.push(...(p.items ?? []));
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  return { items };
}

/** attachmentURL is where an attachment's bytes are served. */
export function attachmentURL(id: string): string {
  return `/api/v1/attachments/${enc(id)}`;
}

// uploadFile posts one file as multipart/form-data; request() only speaks JSON.
async function uploadFile(file: File): Promise<UploadedFile> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await fetch('/api/v1/attachments', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json, application/problem+json', 'Idempotency-Key': newIdempotencyKey() },
    body: form,
  });
  if (res.ok) return (await res.json()) as UploadedFile;
  let body: { title?: string; detail?: string } = {};
  try {
    body = await res.json();
  } catch {
    // Not JSON: the status line says enough.
  }
  const title = body.title || res.statusText || `HTTP ${res.status}`;
  throw new ApiError(res.status, title, body.detail || title);
}
