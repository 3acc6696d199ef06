// The swarm rooms' API (docs/swarm.md).
import { ApiError, newIdempotencyKey, query, request } from '../api';

export interface Room {
  id: string;
  conversation_id: string;
  question: string;
  opened_by: string;
  state: 'open' | 'closed';
  outcome: string;
  closed_by: string;
  created_at: string;
  closed_at?: string;
}

export interface Member {
  room_id: string;
  user_id: string;
  status: 'invited' | 'joined';
  invited_by: string;
  invited_at: string;
  joined_at?: string;
}

export interface RoomMessage {
  id: string;
  room_id: string;
  author_id: string;
  body: string;
  mentions: string[];
  attachments: RoomFile[];
  created_at: string;
}

/** RoomFile is a file attached to a room message; only the room's members download it. */
export interface RoomFile {
  id: string;
  name: string;
  content_type: string;
  size: number;
}

export interface RoomView {
  room: Room;
  members: Member[];
  messages: RoomMessage[];
}

export interface Reason {
  code: 'resolved' | 'linked' | 'noted' | 'helped' | 'presence' | 'load' | 'expert_in' | 'profile';
  count: number;
  last?: string;
  text: string;
}

export interface Expert {
  user_id: string;
  score: number;
  presence: string;
  load: number;
  why: Reason[];
}

const enc = encodeURIComponent;
const room = (id: string) => `/api/v1/swarm/rooms/${enc(id)}`;

export const swarmApi = {
  open: (conversationId: string, question: string) =>
    request<RoomView>('POST', `/api/v1/conversations/${enc(conversationId)}/swarm`, { body: { question } }),
  mine: () => request<{ items: Room[] }>('GET', '/api/v1/swarm/rooms'),
  room: (id: string) => request<RoomView>('GET', room(id)),
  experts: (id: string) => request<{ items: Expert[] }>('GET', `${room(id)}/experts`),
  invite: (id: string, userId: string) => request<Member>('POST', `${room(id)}/invitations`, { body: { user_id: userId } }),
  join: (id: string) => request<Member>('POST', `${room(id)}/join`),
  say: (id: string, body: string, mentions: string[], attachmentIds: string[] = []) =>
    request<RoomMessage>('POST', `${room(id)}/messages`, { body: { body, mentions, attachment_ids: attachmentIds } }),
  upload: (id: string, file: File) => uploadRoomFile(id, file),
  contributions: (userId: string) =>
    request<{ items: Contribution[]; months: Month[] }>('GET', `/api/v1/users/${enc(userId)}/contributions${query({ tz: zone() })}`),
  expertise: (userId: string) => request<{ items: ExpertArea[] }>('GET', `/api/v1/users/${enc(userId)}/expertise`),
  work: (from: string, to: string) => request<{ items: RoomWork[] }>('GET', `/api/v1/swarm/work${query({ from, to })}`),
  close: (id: string, outcome: string) => request<Room>('POST', `${room(id)}/close`, { body: { outcome } }),
  /** pushSubscriptions are the caller's browsers told of invitations by Web Push while away, and
   * the center's VAPID key to subscribe with (empty: the center sends no Web Push). */
  pushSubscriptions: () => request<{ public_key: string; items: DeskPushSubscription[] }>('GET', '/api/v1/me/push-subscriptions'),
  subscribePush: (sub: PushSubscriptionJSON) => request<DeskPushSubscription>('POST', '/api/v1/me/push-subscriptions', { body: sub }),
  unsubscribePush: (endpoint: string) => request<void>('POST', '/api/v1/me/push-subscriptions/remove', { body: { endpoint } }),
  /** toArticle turns a closed room into a draft article (work in progress, the caller's): its
   * question is the issue, its outcome the resolution, its conversation the source. */
  toArticle: (r: Room) =>
    request<{ id: string }>('POST', '/api/v1/knowledge/articles', {
      body: { title: r.question.slice(0, 200), issue: r.question, resolution: r.outcome, audience: 'agents', locale: 'en',
        source_conversation_id: r.conversation_id },
    }),
};

/** fileURL is where a room's file is downloaded (members only). */
export function fileURL(roomId: string, fileId: string): string {
  return `${room(roomId)}/files/${enc(fileId)}`;
}

/** workCSV is the "who worked on what" report of a period as CSV. */
export function workCSV(from: string, to: string): string {
  return `/api/v1/swarm/work${query({ from, to, format: 'csv' })}`;
}

function zone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

// uploadRoomFile posts one file as multipart/form-data; request() only speaks JSON.
async function uploadRoomFile(roomId: string, file: File): Promise<RoomFile> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await fetch(`${room(roomId)}/files`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json, application/problem+json', 'Idempotency-Key': newIdempotencyKey() },
    body: form,
  });
  if (res.ok) return (await res.json()) as RoomFile;
  let body: { title?: string; detail?: string } = {};
  try {
    body = await res.json();
  } catch {
    // Not JSON: the status line says enough.
  }
  const title = body.title || res.statusText || `HTTP ${res.status}`;
  throw new ApiError(res.status, title, body.detail || title);
}

export interface Contribution {
  id: string;
  room_id: string;
  conversation_id: string;
  user_id: string;
  kind: 'join' | 'message' | 'link' | 'minutes';
  minutes: number;
  ref: string;
  at: string;
}

export interface Month {
  month: string;
  rooms: number;
  joins: number;
  messages: number;
  links: number;
  minutes: number;
}

export interface ExpertArea {
  kind: 'tag' | 'queue' | 'category';
  name: string;
  score: number;
  cases: number;
  resolved: number;
  linked: number;
  helped: number;
  last: string;
}

export interface PersonWork {
  user_id: string;
  status: string;
  messages: number;
  links: number;
  minutes: number;
}

/** DeskPushSubscription is one of the caller's browsers subscribed to Web Push. */
export interface DeskPushSubscription {
  id: string;
  endpoint: string;
  user_agent: string;
  created_at: string;
}

export interface RoomWork {
  room: Room;
  people: PersonWork[];
}
