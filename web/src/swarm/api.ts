// The swarm rooms' API (docs/swarm.md).
import { request } from '../api';

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
  created_at: string;
}

export interface RoomView {
  room: Room;
  members: Member[];
  messages: RoomMessage[];
}

export interface Reason {
  code: 'resolved' | 'linked' | 'noted' | 'helped' | 'presence' | 'load';
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
  say: (id: string, body: string, mentions: string[]) =>
    request<RoomMessage>('POST', `${room(id)}/messages`, { body: { body, mentions } }),
  close: (id: string, outcome: string) => request<Room>('POST', `${room(id)}/close`, { body: { outcome } }),
  /** toArticle turns a closed room into a draft article (work in progress, the caller's): its
   * question is the issue, its outcome the resolution, its conversation the source. */
  toArticle: (r: Room) =>
    request<{ id: string }>('POST', '/api/v1/knowledge/articles', {
      body: { title: r.question.slice(0, 200), issue: r.question, resolution: r.outcome, audience: 'agents', locale: 'en',
        source_conversation_id: r.conversation_id },
    }),
};
