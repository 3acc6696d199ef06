// The screen-pop's calls: a conversation's ranked items, the agent's
// feedback on them, and the supervisor's learned view. Built on ../api.
import { ApiError, request, type FieldError } from '../api';

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

/** Screen is a conversation's screen-pop; final is false on a first screen a second will follow. */
export interface Screen {
  items: ScreenItem[];
  sources: ScreenSource[];
  final: boolean;
}

/**
 * pop asks for a conversation's screen-pop as it comes (application/x-ndjson):
 * onScreen gets the first screen as soon as it is ranked — business systems
 * still out are "pending" in it — and, if there were any, the final one when
 * they have answered or run out of their budget. Aborting signal ends it.
 */
async function pop(id: string, limit: number | undefined, onScreen: (s: Screen) => void, signal?: AbortSignal): Promise<void> {
  const res = await fetch(`/api/v1/conversations/${enc(id)}/context${limit ? `?limit=${limit}` : ''}`, {
    headers: { Accept: 'application/x-ndjson, application/problem+json' },
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok || !res.body) {
    let body: { title?: string; detail?: string; errors?: FieldError[] } = {};
    try {
      body = await res.json();
    } catch {
      // not a problem document: the status line says it
    }
    const title = body.title || res.statusText;
    throw new ApiError(res.status, title, body.detail || title, Array.isArray(body.errors) ? body.errors : []);
  }
  const reader = res.body.getReader();
  const text = new TextDecoder();
  let buf = '';
  const flush = () => {
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onScreen(JSON.parse(line) as Screen);
    }
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buf += text.decode(value, { stream: true });
    if (done) buf += '\n';
    flush();
    if (done) return;
  }
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
  pop,
  feedback: (id: string, key: string, kind: FeedbackKind) =>
    request<void>('POST', `/api/v1/conversations/${enc(id)}/context/feedback`, { body: { key, kind } }),
  model: () => request<Learned>('GET', '/api/v1/context/model'),
  reset: () => request<Learned>('POST', '/api/v1/context/model/reset'),
};
