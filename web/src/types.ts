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
  /** knowledge_publisher: may validate and publish articles (in /me: the effective value, true for admins and supervisors). */
  knowledge_publisher?: boolean;
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
  /** must_enrol_totp: the workspace requires a second factor this user has not set up. */
  must_enrol_totp?: boolean;
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

/** NotifyCategory groups notification types: critical ones cannot be turned off by the customer. */
export type NotifyCategory = 'critical' | 'transactional' | 'marketing';

export const NOTIFY_CATEGORIES: readonly NotifyCategory[] = ['critical', 'transactional', 'marketing'];

/** NOTIFY_CHANNELS are the channels notices go out on, in a sensible default order. */
export const NOTIFY_CHANNELS = ['email', 'sms', 'webpush', 'telegram', 'webchat', 'api'] as const;

/** NotificationTemplate is what one channel says in one language; Short is the SMS text. */
export interface NotificationTemplate {
  subject?: string;
  body?: string;
  short?: string;
}

/** NotificationTypeInput is a notification type as POST and PUT take it. */
export interface NotificationTypeInput {
  key: string;
  name: string;
  category: NotifyCategory;
  channels: string[];
  reply_expected: boolean;
  send_time: 'now' | 'best';
  /** confirm_within is a duration such as "15m"; "" or "0s" waits for failures only. */
  confirm_within: string;
  default_language: string;
  /** templates by language, then by channel ("web" is the portal page). */
  templates: Record<string, Record<string, NotificationTemplate>>;
}

export interface NotificationType extends NotificationTypeInput {
  created_at: string;
  updated_at: string;
}

/** NotifyTypePref is an on/off and channel order for one type or category. */
export interface NotifyTypePref {
  enabled?: boolean;
  channels?: string[];
}

export interface NotifyQuietHours {
  from: string;
  to: string;
  days?: string[];
}

/** NotifyPreferences are a tenant's defaults or a persona's own settings; unset fields defer. */
export interface NotifyPreferences {
  channels?: Record<string, boolean>;
  types?: Record<string, NotifyTypePref>;
  categories?: Partial<Record<NotifyCategory, NotifyTypePref>>;
  order?: string[];
  retrieval?: string;
  response?: string;
  quiet_hours?: NotifyQuietHours | null;
  time_zone?: string;
  momentary?: { state: string; allow_channels?: string[]; until: string } | null;
}

/** NotifyCap is at most max notices per window ("24h"). */
export interface NotifyCap {
  max: number;
  window: string;
}

/** NotifySettings are a tenant's notification settings. */
export interface NotifySettings {
  defaults: NotifyPreferences;
  caps?: Partial<Record<NotifyCategory, NotifyCap>>;
  /** rate_limits are sends per second per channel. */
  rate_limits?: Record<string, number>;
  max_attempts?: number;
}

/** NotifyStatus is where a notice to one persona stands. */
export type NotifyStatus =
  | 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'replied'
  | 'failed' | 'suppressed' | 'expired' | 'cancelled';

/** NotifyDelivery is one notice to one persona, with the decision that shaped it. */
export interface NotifyDelivery {
  id: string;
  event_id: string;
  persona_id: string;
  /** customer is how the customer reads in a list: name, else email, else phone. */
  customer?: string;
  type: string;
  category: NotifyCategory;
  channels: string[];
  channel_index: number;
  channel: string;
  status: NotifyStatus;
  due_at?: string;
  expires_at?: string;
  tries: number;
  reasons: string[];
  broke_quiet_hours: boolean;
  language: string;
  retrieval?: string;
  response?: string;
  reply_expected: boolean;
  external_id?: string;
  conversation_id?: string;
  created_at: string;
  updated_at: string;
}

/** NotifyStep is one entry of a delivery's status timeline. */
export interface NotifyStep {
  at: string;
  status: string;
  channel?: string;
  detail?: string;
}

/** NotifyDeliveryView is a delivery with its timeline and what it said. */
export interface NotifyDeliveryView extends NotifyDelivery {
  steps: NotifyStep[];
  subject: string;
  body: string;
}

/** NotifyEvent is what a business system raised for one or many personas. */
export interface NotifyEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  idempotency_key?: string;
  send_at?: string;
  expires_at?: string;
  recipients: number;
  created_at: string;
}

/** ConsentRecord is one entry of a persona's hash-chained consent ledger. */
export interface ConsentRecord {
  seq: number;
  /** scope is "all", "type:<key>", "category:<name>" or "channel:<name>". */
  scope: string;
  granted: boolean;
  previous: boolean | null;
  source: string;
  actor: string;
  note?: string;
  at: string;
  hash: string;
}
