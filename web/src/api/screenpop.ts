// The screen-pop's calls: a conversation's ranked items, the agent's
// feedback on them, and the supervisor's learned view. Built on ../api.
import { request } from '../api';

const enc = encodeURIComponent;

/** ScreenItem is one of the (at most ten) items beside a conversation. */
export interface ScreenItem {
  key: string;
  source: string;
  type: string;
  title: string;
  fields: Record<string, string>;
  status: string;
  amount: string;
  at: string | null;
  due: string | null;
  link: string;
  why: string;
  position: number;
}

/** ScreenSource is how one source answered: ok, timeout, error… */
export interface ScreenSource {
  name: string;
  status: string;
}

/** Screen is a conversation's screen-pop. */
export interface Screen {
  items: ScreenItem[];
  sources: ScreenSource[];
}

/** FeedbackKind is what the agent did with a shown item. */
export type FeedbackKind = 'open' | 'use' | 'dismiss';

/** Lesson is one feature's line of the learned view. */
export interface Lesson {
  feature: string;
  label: string;
  default: number;
  weight: number;
  words: string;
}

/** Learned is what the workspace's ranking has learned. */
export interface Learned {
  contacts: number;
  feedback: number;
  summary: string;
  lessons: Lesson[];
}

export const screenPopApi = {
  forConversation: (id: string, limit?: number) =>
    request<Screen>('GET', `/api/v1/conversations/${enc(id)}/context${limit ? `?limit=${limit}` : ''}`),
  feedback: (id: string, key: string, kind: FeedbackKind) =>
    request<void>('POST', `/api/v1/conversations/${enc(id)}/context/feedback`, { body: { key, kind } }),
  model: () => request<Learned>('GET', '/api/v1/context/model'),
  reset: () => request<Learned>('POST', '/api/v1/context/model/reset'),
};
