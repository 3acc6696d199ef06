// The calls and JSON shapes of the knowledge base (issue 13): articles with
// their KCS fields, states, versions, diffs and flags; the search; and a
// conversation's knowledge (suggestions, links, recorded searches, the
// outcome asked at resolve, the draft an article is created from).
import { query, request } from '../api';
import type { Page } from '../types';

/** ArticleState is where an article stands in the KCS life cycle. */
export type ArticleState = 'wip' | 'not_validated' | 'validated' | 'published' | 'archived';

/** ARTICLE_STATES lists the states in the order an article usually passes them. */
export const ARTICLE_STATES: readonly ArticleState[] = ['wip', 'not_validated', 'validated', 'published', 'archived'];

/** Audience says who may read an article. */
export type Audience = 'agents' | 'customers' | 'both';

export const AUDIENCES: readonly Audience[] = ['agents', 'customers', 'both'];

/** LOCALES are the languages the search stems; others are accepted as typed. */
export const LOCALES: readonly string[] = ['en', 'de', 'fr', 'es'];

/** ArticleContent is what an edit changes and a version keeps. */
export interface ArticleContent {
  title: string;
  issue: string;
  environment: string;
  cause: string;
  resolution: string;
  audience: Audience;
  locale: string;
  tags: string[];
  category: string;
  queue_ids: string[];
  products: string[];
}

/** Article is one article; list items leave out the *_html fields. */
export interface Article extends ArticleContent {
  id: string;
  slug: string;
  issue_html?: string;
  environment_html?: string;
  cause_html?: string;
  resolution_html?: string;
  state: ArticleState;
  owner_id: string;
  version: number;
  external_id: string;
  source_conversation_id: string;
  state_changed_at: string;
  state_changed_by: string;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  open_flags: number;
}

/** ArticleInput is what POST takes; source_conversation_id ties it to the conversation it came from. */
export interface ArticleInput extends ArticleContent {
  source_conversation_id?: string;
}

export interface Transition {
  from: ArticleState | '';
  to: ArticleState;
  by_id: string;
  note: string;
  at: string;
}

export interface VersionInfo {
  version: number;
  author_id: string;
  note: string;
  created_at: string;
}

export interface VersionDetail extends VersionInfo {
  content: ArticleContent;
}

/** DiffOp is one run of words kept, added or taken away. */
export interface DiffOp {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

export interface FieldDiff {
  field: string;
  changed: boolean;
  ops: DiffOp[];
}

export interface Diff {
  from: number;
  to: number;
  fields: FieldDiff[];
}

export interface Flag {
  id: string;
  article_id: string;
  article_title: string;
  reason: string;
  by_id: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string;
}

/** SearchHit is one article found; snippet_html is escaped text with <mark> around matches only. */
export interface SearchHit {
  article_id: string;
  slug: string;
  title: string;
  snippet_html: string;
  state: ArticleState;
  audience: Audience;
  locale: string;
  tags: string[];
  category: string;
  score: number;
}

/** ArticleFilter narrows the list and the search. */
export interface ArticleFilter {
  state?: string;
  audience?: string;
  locale?: string;
  tag?: string;
  category?: string;
  owner_id?: string;
  flagged?: 'open' | '';
}

/** Suggestion is an article proposed for a conversation, and why. */
export interface Suggestion {
  article_id: string;
  slug: string;
  title: string;
  snippet_html: string;
  state: ArticleState;
  score: number;
  why: string[];
  linked: boolean;
}

export interface KnowledgeLink {
  article_id: string;
  title: string;
  kind: 'linked' | 'created';
  agent_id: string;
  created_at: string;
}

export interface RecordedSearch {
  query: string;
  results: number;
  agent_id: string;
  at: string;
}

/** Outcome is the agent's answer, at resolve, to "did knowledge help here?". */
export type Outcome = '' | 'linked' | 'created' | 'not_needed';

export interface ConversationKnowledge {
  suggestions: Suggestion[];
  links: KnowledgeLink[];
  searches: RecordedSearch[];
  outcome: Outcome;
}

/** Draft is an article's start, taken from a conversation. */
export interface Draft {
  title: string;
  issue: string;
  environment: string;
  cause: string;
  resolution: string;
  locale: string;
  queue_ids: string[];
  source_conversation_id: string;
}

const enc = encodeURIComponent;
const A = '/api/v1/knowledge/articles';
const C = (id: string) => `/api/v1/conversations/${enc(id)}/knowledge`;

/** knowledgeApi lists every knowledge call the UI makes. */
export const knowledgeApi = {
  articles: (f: ArticleFilter, cursor?: string) =>
    request<Page<Article>>('GET', `${A}${query({ ...f, limit: 50, cursor })}`),
  article: (id: string) => request<Article>('GET', `${A}/${enc(id)}`),
  create: (body: ArticleInput, idempotencyKey?: string) => request<Article>('POST', A, { body, idempotencyKey }),
  update: (id: string, body: ArticleContent & { version: number; note?: string }) =>
    request<Article>('PUT', `${A}/${enc(id)}`, { body }),
  move: (id: string, state: ArticleState, note = '') =>
    request<Article>('POST', `${A}/${enc(id)}/state`, { body: { state, ...(note ? { note } : {}) } }),
  history: (id: string) => request<{ items: Transition[] }>('GET', `${A}/${enc(id)}/history`),
  versions: (id: string) => request<{ items: VersionInfo[] }>('GET', `${A}/${enc(id)}/versions`),
  version: (id: string, v: number) => request<VersionDetail>('GET', `${A}/${enc(id)}/versions/${v}`),
  diff: (id: string, from: number, to: number) => request<Diff>('GET', `${A}/${enc(id)}/diff${query({ from, to })}`),
  restore: (id: string, v: number) => request<Article>('POST', `${A}/${enc(id)}/versions/${v}/restore`),
  flags: (id: string) => request<{ items: Flag[] }>('GET', `${A}/${enc(id)}/flags`),
  flag: (id: string, reason: string) => request<Flag>('POST', `${A}/${enc(id)}/flags`, { body: { reason } }),
  allFlags: (status: 'open' | 'resolved' | 'all') => request<{ items: Flag[] }>('GET', `/api/v1/knowledge/flags${query({ status })}`),
  resolveFlag: (flagID: string) => request<Flag>('POST', `/api/v1/knowledge/flags/${enc(flagID)}/resolve`),
  search: (q: string, f: ArticleFilter) =>
    request<{ items: SearchHit[]; total: number }>('GET', `/api/v1/knowledge/search${query({ q, ...f, flagged: undefined, owner_id: undefined, limit: 50 })}`),

  forConversation: (id: string) => request<ConversationKnowledge>('GET', C(id)),
  searchForConversation: (id: string, q: string) => request<{ items: SearchHit[] }>('POST', `${C(id)}/searches`, { body: { q } }),
  link: (id: string, articleID: string) => request<KnowledgeLink>('POST', `${C(id)}/links`, { body: { article_id: articleID } }),
  unlink: (id: string, articleID: string) => request<void>('DELETE', `${C(id)}/links/${enc(articleID)}`),
  dismiss: (id: string, articleID: string) => request<void>('POST', `${C(id)}/dismissals`, { body: { article_id: articleID } }),
  setOutcome: (id: string, outcome: Outcome) => request<{ outcome: Outcome }>('PUT', `${C(id)}/outcome`, { body: { outcome } }),
  draft: (id: string) => request<Draft>('GET', `${C(id)}/draft`),

  /** setPublisher grants or takes back the knowledge publisher permission (admins). */
  setPublisher: (userID: string, on: boolean) =>
    request<unknown>('PATCH', `/api/v1/users/${enc(userID)}`, { body: { knowledge_publisher: on } }),
};
