// The desktop's calls: the inbox lists and counts, offers, presence and the
// agent's routing profile. Fields marked optional arrive as the backend grows;
// the desktop shows what it gets and never invents the rest.
import { query, request } from '../api';
import type { Conversation, Page, PresenceState, User } from '../types';

export type { ConversationStatus, PresenceState } from '../types';

const enc = encodeURIComponent;

/** InboxConversation is a conversation as the inbox list shows it. */
export interface InboxConversation extends Conversation {
  // Read-only list fields; absent on servers that do not compute them yet.
  unread_count?: number;
  last_message_preview?: string;
  waiting_since?: string | null;
  sla_due_at?: string | null;
  persona_name?: string;
  queue_id?: string;
}

/** InboxSort orders the list. */
export type InboxSort = 'newest' | 'waiting' | 'sla_due';

/** SLAFilter narrows the list to conversations whose SLA is in danger. */
export type SLAFilter = '' | 'at_risk' | 'breached';

/** ListParams are the list's filters, as the API names them. */
export interface ListParams {
  status?: string;
  channel?: string;
  tag?: string;
  priority?: string;
  sla?: SLAFilter;
  assignee_id?: string;
  queue_id?: string;
  mentions?: string;
  unread?: string;
  q?: string;
  sort?: InboxSort;
}

/** InboxCounts are the open conversations of each view, with unread counts per queue. */
export interface InboxCounts {
  mine: number;
  unassigned: number;
  mentions: number;
  all: number;
  queues: { queue_id: string; name: string; open: number; unread: number }[];
}

/** QueueSummary is what the inbox needs of a routing queue. */
export interface QueueSummary {
  id: string;
  name: string;
  default: boolean;
}

/** ChannelSummary is what the inbox needs of a channel. */
export interface ChannelSummary {
  name: string;
}

/** Offer asks the signed-in agent to take an item before it expires. */
export interface Offer {
  id: string;
  work_id: string;
  conversation_id: string;
  queue_id: string;
  queue_name: string;
  channel: string;
  kind: string;
  reason: string;
  expires_at: string;
  created_at?: string;
}

/** RoutingProfile is how routing sees the signed-in agent. */
export interface RoutingProfile {
  user_id: string;
  capacity: Record<string, number>;
  wrap_up_seconds: number;
  queues: string[];
  default: boolean;
}

/** PersonaSummary is the customer's name, for an offer card. */
export interface PersonaSummary {
  id: string;
  name: string;
}

/** ConversationChange is what the inbox changes from the list. */
export type ConversationChange = Partial<Pick<InboxConversation, 'status' | 'assignee_id' | 'priority' | 'tags'>>;

/** desktopApi lists the desktop's calls, one line each. */
export const desktopApi = {
  conversations: (p: ListParams, cursor?: string, limit = 100) =>
    request<Page<InboxConversation>>('GET', `/api/v1/conversations${query({ ...p, limit, cursor })}`),
  conversation: (id: string) => request<InboxConversation>('GET', `/api/v1/conversations/${enc(id)}`),
  updateConversation: (id: string, change: ConversationChange) =>
    request<InboxConversation>('PATCH', `/api/v1/conversations/${enc(id)}`, { body: change }),
  counts: () => request<InboxCounts>('GET', '/api/v1/inbox/counts'),
  queues: () => request<Page<QueueSummary>>('GET', '/api/v1/queues'),
  channels: () => request<{ items: ChannelSummary[] }>('GET', '/api/v1/channels'),
  offers: () => request<Page<Offer>>('GET', '/api/v1/me/offers'),
  acceptOffer: (id: string) => request<void>('POST', `/api/v1/offers/${enc(id)}/accept`),
  declineOffer: (id: string) => request<void>('POST', `/api/v1/offers/${enc(id)}/decline`),
  persona: (id: string) => request<PersonaSummary>('GET', `/api/v1/personas/${enc(id)}`),
  presenceStates: () => request<Page<PresenceState>>('GET', '/api/v1/presence-states'),
  setPresence: (presence: string) => request<User>('PUT', '/api/v1/me/presence', { body: { presence } }),
  myRouting: () => request<RoutingProfile>('GET', '/api/v1/me/routing'),
};
