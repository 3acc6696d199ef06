// The calls and JSON shapes of the supervisor wall and the admin pages: routing
// (queues, calendars, SLA policies, profiles, presence states), channel
// accounts, canned responses and macros, and the wall's live figures.
import { query, request } from '../api';
import type { CriteriaStep } from './conversation';
import type { CannedResponse, ChannelInfo, Macro, MacroAction, Page, PresenceState, User } from '../types';

export { MACRO_ACTIONS } from '../types';
export type { CannedResponse, ChannelInfo, Macro, MacroAction, MacroActionType, PresenceState } from '../types';

/** Modality is a kind of work an agent holds a number of at once. */
export type Modality = 'chat' | 'email' | 'message' | 'voice' | 'video';

/** MODALITIES lists modalities in the order the pages show them. */
export const MODALITIES: readonly Modality[] = ['chat', 'email', 'message', 'voice', 'video'];

/** Strategy is how a queue picks among eligible agents. */
export type Strategy = 'longest_idle' | 'least_occupied' | 'skills';

export const STRATEGIES: readonly Strategy[] = ['longest_idle', 'least_occupied', 'skills'];

export interface WideningStep {
  after_seconds: number;
  min_level: number;
}

export interface OverflowRule {
  after_seconds: number;
  to: string;
}

/** QueueInput is a queue's configuration as PUT and POST take it. */
export interface QueueInput {
  name: string;
  skills: string[];
  priority: number;
  strategy: Strategy;
  widening: WideningStep[];
  offer_timeout_seconds: number;
  last_agent_timeout_seconds: number;
  auto_assign: boolean;
  overflow: OverflowRule[];
  calendar_id: string;
  sla_policy_id: string;
  channels: string[];
  default: boolean;
  /** criteria are the queue's default routing steps (ADR 0053); none: derived from skills and widening. */
  criteria?: CriteriaStep[];
}

export interface Queue extends QueueInput {
  id: string;
  created_at: string;
  updated_at: string;
}

/** QueueStats is one queue now, from GET /queues/stats or the queue.stats event. */
export interface QueueStats {
  queue_id: string;
  name: string;
  waiting: number;
  /** offered is how many items are being offered to an agent right now; the day’s figures are in TodayReport. */
  offered: number;
  longest_wait_seconds: number;
  agents: Record<string, number>;
  sla_at_risk: number;
  /** steps: where the longest-waiting conversations with routing steps stand in them (at most five, oldest first). */
  steps?: WaitingStep[];
}

/** WaitingStep is a waiting conversation's current routing step (step from 0; -1 once all ended). */
export interface WaitingStep {
  conversation_id: string;
  step: number;
  of: number;
  description: string;
  expires_at?: string;
}

/** Weekday keys of a calendar's hours. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type Span = [string, string];
export type WeekHours = Partial<Record<Weekday, Span[]>>;

export interface Holiday {
  date: string;
  name: string;
}

export interface CalendarInput {
  name: string;
  time_zone: string;
  hours: WeekHours;
  holidays: Holiday[];
}

export interface Calendar extends CalendarInput {
  id: string;
  created_at: string;
  updated_at: string;
}

export type SLATarget = 'first_response' | 'next_response' | 'resolution';
export const SLA_TARGETS: readonly SLATarget[] = ['first_response', 'next_response', 'resolution'];

export interface SLAEscalation {
  on: 'warning' | 'breach';
  target: SLATarget | 'any';
  raise_priority?: number;
  move_to_queue?: string;
  notify_supervisor?: boolean;
}

export interface SLAPolicyInput {
  name: string;
  first_response: string;
  next_response: string;
  resolution: string;
  warn_at: number;
  escalations: SLAEscalation[];
  pause_while_pending: boolean;
}

export interface SLAPolicy extends SLAPolicyInput {
  id: string;
  created_at: string;
  updated_at: string;
}

export interface RoutingProfileInput {
  skills: Record<string, number>;
  queues: string[];
  capacity: Partial<Record<Modality, number>>;
  blocks: Partial<Record<Modality, Modality[]>>;
  wrap_up_seconds: number;
}

export interface RoutingProfile extends RoutingProfileInput {
  user_id: string;
  default: boolean;
}


export interface ChannelAccount {
  id: string;
  tenant_id: string;
  channel: string;
  address: string;
  name: string;
  settings: Record<string, string>;
}

export interface ChannelAccountInput {
  channel: string;
  address: string;
  name: string;
  settings: Record<string, string>;
}

/** Scope says whom a canned response or macro is for: the whole tenant or its author. */
export type Scope = 'tenant' | 'personal';

/** CannedInput is what POST takes (PUT ignores scope: it cannot move). */
export interface CannedInput {
  shortcut: string;
  title: string;
  body: string;
  scope?: Scope;
}

export interface MacroInput {
  name: string;
  actions: MacroAction[];
  scope?: Scope;
}

/** LiveAgent is one agent on the wall: presence, how long, and load against capacity. */
export interface LiveAgent {
  user_id: string;
  name: string;
  role: string;
  presence: string;
  presence_since?: string;
  load: Partial<Record<Modality, number>>;
  capacity: Partial<Record<Modality, number>>;
  wrap_up_until?: string | null;
}

export interface HourVolume {
  hour: number;
  channel: string;
  conversations: number;
}

export interface QueueToday {
  queue_id: string;
  name: string;
  /** Conversations that entered the queue today, each once (docs/wall.md). */
  offered: number;
  answered: number;
  abandoned: number;
  transferred_out: number;
  in_queue: number;
  /** Offers made to agents today: one conversation may be offered several times. */
  offer_attempts: number;
  sla_met_pct: number | null;
  waiting_now: number;
}

/** TodayReport is GET /reports/today: volume by hour and channel, and each queue's day. */
export interface TodayReport {
  by_hour: HourVolume[];
  queues: QueueToday[];
}

/** WallConversation is the part of a conversation the wall's at-risk list shows. */
export interface WallConversation {
  id: string;
  subject: string;
  status: string;
  priority: number;
  assignee_id: string;
  team: string;
  channel: string;
  persona_name?: string;
  queue_id?: string;
  sla_due_at?: string | null;
  waiting_since?: string | null;
  updated_at: string;
}

/** WhatsAppTemplate is one of the workspace's WhatsApp message templates (GET /api/v1/whatsapp/templates). */
export interface WhatsAppTemplate {
  id: string;
  name: string;
  language: string;
  category: WhatsAppCategory;
  body: string;
  status: WhatsAppStatus;
  created_at: string;
  updated_at: string;
}

export const WHATSAPP_CATEGORIES = ['utility', 'marketing', 'authentication'] as const;
export type WhatsAppCategory = (typeof WHATSAPP_CATEGORIES)[number];
export const WHATSAPP_STATUSES = ['approved', 'pending', 'rejected', 'paused', 'disabled'] as const;
export type WhatsAppStatus = (typeof WHATSAPP_STATUSES)[number];

/** WhatsAppTemplateInput is what POST and PUT take. */
export interface WhatsAppTemplateInput {
  name: string;
  language: string;
  category: WhatsAppCategory;
  body: string;
  status: WhatsAppStatus;
}

const enc = encodeURIComponent;

/** items reads a list answer that is either {items} or a bare array. */
function items<T>(v: { items?: T[] } | T[] | null | undefined): T[] {
  if (Array.isArray(v)) return v;
  return Array.isArray(v?.items) ? v.items : [];
}

async function list<T>(path: string): Promise<T[]> {
  return items(await request<{ items?: T[] } | T[]>('GET', path));
}

/** allUsers follows the cursor to the end; workspaces have tens of users, not thousands. */
async function allUsers(): Promise<User[]> {
  const out: User[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await request<Page<User>>('GET', `/api/v1/users${query({ limit: 100, cursor })}`);
    out.push(...items(page));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

/** supervisorApi lists every call of the wall and the admin pages, one line each. */
export const supervisorApi = {
  users: allUsers,

  queues: () => list<Queue>('/api/v1/queues'),
  createQueue: (body: QueueInput, idempotencyKey: string) => request<Queue>('POST', '/api/v1/queues', { body, idempotencyKey }),
  updateQueue: (id: string, body: QueueInput) => request<Queue>('PUT', `/api/v1/queues/${enc(id)}`, { body }),
  deleteQueue: (id: string) => request<void>('DELETE', `/api/v1/queues/${enc(id)}`),
  queueStats: () => list<QueueStats>('/api/v1/queues/stats'),

  calendars: () => list<Calendar>('/api/v1/calendars'),
  createCalendar: (body: CalendarInput, idempotencyKey: string) =>
    request<Calendar>('POST', '/api/v1/calendars', { body, idempotencyKey }),
  updateCalendar: (id: string, body: CalendarInput) => request<Calendar>('PUT', `/api/v1/calendars/${enc(id)}`, { body }),
  deleteCalendar: (id: string) => request<void>('DELETE', `/api/v1/calendars/${enc(id)}`),

  whatsAppTemplates: () => list<WhatsAppTemplate>('/api/v1/whatsapp/templates'),
  createWhatsAppTemplate: (body: WhatsAppTemplateInput, idempotencyKey: string) =>
    request<WhatsAppTemplate>('POST', '/api/v1/whatsapp/templates', { body, idempotencyKey }),
  updateWhatsAppTemplate: (id: string, body: WhatsAppTemplateInput) => request<WhatsAppTemplate>('PUT', `/api/v1/whatsapp/templates/${enc(id)}`, { body }),
  deleteWhatsAppTemplate: (id: string) => request<void>('DELETE', `/api/v1/whatsapp/templates/${enc(id)}`),

  slaPolicies: () => list<SLAPolicy>('/api/v1/sla-policies'),
  createSLAPolicy: (body: SLAPolicyInput, idempotencyKey: string) =>
    request<SLAPolicy>('POST', '/api/v1/sla-policies', { body, idempotencyKey }),
  updateSLAPolicy: (id: string, body: SLAPolicyInput) => request<SLAPolicy>('PUT', `/api/v1/sla-policies/${enc(id)}`, { body }),
  deleteSLAPolicy: (id: string) => request<void>('DELETE', `/api/v1/sla-policies/${enc(id)}`),

  routingProfile: (userID: string) => request<RoutingProfile>('GET', `/api/v1/users/${enc(userID)}/routing`),
  setRoutingProfile: (userID: string, body: RoutingProfileInput) =>
    request<RoutingProfile>('PUT', `/api/v1/users/${enc(userID)}/routing`, { body }),

  presenceStates: () => list<PresenceState>('/api/v1/presence-states'),
  createPresenceState: (body: { name: string; routable: boolean }, idempotencyKey: string) =>
    request<PresenceState>('POST', '/api/v1/presence-states', { body, idempotencyKey }),
  deletePresenceState: (name: string) => request<void>('DELETE', `/api/v1/presence-states/${enc(name)}`),

  channels: () => list<ChannelInfo>('/api/v1/channels'),
  channelAccounts: () => list<ChannelAccount>('/api/v1/channel-accounts'),
  createChannelAccount: (body: ChannelAccountInput, idempotencyKey: string) =>
    request<ChannelAccount>('POST', '/api/v1/channel-accounts', { body, idempotencyKey }),
  deleteChannelAccount: (id: string) => request<void>('DELETE', `/api/v1/channel-accounts/${enc(id)}`),
  updateChannelAccount: (id: string, body: { name?: string; settings?: Record<string, string> }, idempotencyKey: string) =>
    request<ChannelAccount>('PATCH', `/api/v1/channel-accounts/${enc(id)}`, { body, idempotencyKey }),

  cannedResponses: () => list<CannedResponse>('/api/v1/canned-responses'),
  createCanned: (body: CannedInput, idempotencyKey: string) =>
    request<CannedResponse>('POST', '/api/v1/canned-responses', { body, idempotencyKey }),
  updateCanned: (id: string, body: CannedInput) => request<CannedResponse>('PUT', `/api/v1/canned-responses/${enc(id)}`, { body }),
  deleteCanned: (id: string) => request<void>('DELETE', `/api/v1/canned-responses/${enc(id)}`),

  macros: () => list<Macro>('/api/v1/macros'),
  createMacro: (body: MacroInput, idempotencyKey: string) => request<Macro>('POST', '/api/v1/macros', { body, idempotencyKey }),
  updateMacro: (id: string, body: MacroInput) => request<Macro>('PUT', `/api/v1/macros/${enc(id)}`, { body }),
  deleteMacro: (id: string) => request<void>('DELETE', `/api/v1/macros/${enc(id)}`),

  liveAgents: () => list<LiveAgent>('/api/v1/agents/live'),
  today: (tz: string) => request<TodayReport>('GET', `/api/v1/reports/today${query({ tz })}`),
  /** atRisk lists open conversations past an SLA clock's warning point or due time, soonest due first. */
  atRisk: () => list<WallConversation>(`/api/v1/conversations${query({ sla: 'at_risk', status: 'open', sort: 'sla_due', limit: 100 })}`),
  reassign: (conversationID: string, assigneeID: string) =>
    request<WallConversation>('PATCH', `/api/v1/conversations/${enc(conversationID)}`, { body: { assignee_id: assigneeID } }),
  transferToQueue: (conversationID: string, queueID: string) =>
    request<unknown>('POST', `/api/v1/conversations/${enc(conversationID)}/transfer`, { body: { queue_id: queueID } }),
  join: (conversationID: string) => request<unknown>('POST', `/api/v1/conversations/${enc(conversationID)}/join`),
};
