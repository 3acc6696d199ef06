// The JSON shapes of the Switchboard HTTP API, as the UI uses them.

/** Presence is an agent's availability. */
export type Presence = 'available' | 'busy' | 'away' | 'offline';

/** PRESENCES lists presence values in the order the selector shows them. */
export const PRESENCES: readonly Presence[] = ['available', 'busy', 'away', 'offline'];

export interface User {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: string;
  presence: Presence;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  sandbox: boolean;
  created_at: string;
}

/** Session is what login and GET /me return. */
export interface Session {
  user: User;
  tenant: Tenant;
}

/** Page is one page of a cursor-paginated list; an empty next_cursor means the end. */
export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  active: boolean;
  created_at: string;
  updated_at: string;
}

/** CreatedWebhook carries the signing secret, returned once at creation. */
export interface CreatedWebhook extends WebhookEndpoint {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface Delivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code?: number | null;
  last_error?: string | null;
  next_attempt_at?: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryAttempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code?: number | null;
  response_body?: string | null;
  error?: string | null;
}

/** DeliveryDetail is a delivery with its attempt history; the list's attempt count becomes the array. */
export interface DeliveryDetail extends Omit<Delivery, 'attempts'> {
  attempts: DeliveryAttempt[];
}

export const API_KEY_SCOPES = ['read', 'events:write', 'webhooks:manage', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  created_by: string;
  created_at: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

/** CreatedApiKey carries the key itself, returned once at creation. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

/** RealtimeEvent is one frame of the realtime feed; control frames have no seq. */
export interface RealtimeEvent {
  seq?: number;
  id?: string;
  tenant_id?: string;
  type: string;
  data?: unknown;
  at?: string;
}

/** ConversationStatus is where a conversation stands. */
export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';

/** Conversation is one matter with a customer, across channels. */
export interface Conversation {
  id: string;
  tenant_id: string;
  persona_id: string;
  subject: string;
  status: ConversationStatus;
  priority: number;
  assignee_id: string;
  team: string;
  channel: string;
  modalities: string[];
  tags: string[];
  snoozed_until?: string | null;
  last_message_at?: string | null;
  created_at: string;
  updated_at: string;
}

/** ChannelInfo is a channel the center runs and what it can do. */
export interface ChannelInfo {
  name: string;
  capabilities: {
    realtime: boolean;
    threading: boolean;
    attachments: boolean;
    typing: boolean;
    read_receipts: boolean;
    max_length: number;
    identifier: string;
  };
}

/** PresenceState is a state an agent may set: the built-in four and the tenant's own. */
export interface PresenceState {
  name: string;
  routable: boolean;
  built_in: boolean;
  created_at?: string;
}

/** CannedResponse is a stored answer, typed as "/shortcut"; owner_id is empty for the whole tenant's. */
export interface CannedResponse {
  id: string;
  owner_id: string;
  shortcut: string;
  title: string;
  body: string;
}

export const MACRO_ACTIONS = ['reply', 'note', 'status', 'priority', 'tags_add', 'tags_remove', 'assign', 'team'] as const;
export type MacroActionType = (typeof MACRO_ACTIONS)[number];

/** MacroAction is one step of a macro. */
export interface MacroAction {
  type: MacroActionType;
  value: string;
}

/** Macro is a named list of actions run on a conversation in one go. */
export interface Macro {
  id: string;
  owner_id: string;
  name: string;
  actions: MacroAction[];
}
