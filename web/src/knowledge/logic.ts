// What the knowledge pages decide without the server: who may move an article
// where and edit it (the same rules as internal/knowledge's Move and MayEdit,
// so that a button shows only when the server would accept it), and how a
// conversation's draft becomes an article's first content.
import type { ArticleContent, ArticleState, Draft } from '../api/knowledge';
import type { User } from '../types';

/**
 * isPublisher tells whether user validates and publishes: /me carries the
 * effective knowledge_publisher, and admins and supervisors always are.
 */
export function isPublisher(user: User): boolean {
  return user.knowledge_publisher === true || user.role === 'admin' || user.role === 'supervisor';
}

const MOVES: Record<ArticleState, ArticleState[]> = {
  wip: ['not_validated', 'validated', 'published', 'archived'],
  not_validated: ['wip', 'validated', 'published', 'archived'],
  validated: ['wip', 'not_validated', 'published', 'archived'],
  published: ['wip', 'validated', 'archived'],
  archived: ['wip', 'published'],
};

const PUBLISHER_ONLY: ArticleState[] = ['validated', 'published', 'archived'];

/** mayMove mirrors knowledge.Move: may someone move an article from one state to another? */
export function mayMove(from: ArticleState, to: ArticleState, publisher: boolean): boolean {
  if (from === to || !MOVES[from]?.includes(to)) return false;
  if (PUBLISHER_ONLY.includes(to) || PUBLISHER_ONLY.includes(from)) return publisher;
  return true;
}

/** movesFor lists the states someone may move an article in state from to. */
export function movesFor(from: ArticleState, publisher: boolean): ArticleState[] {
  return (MOVES[from] ?? []).filter((to) => mayMove(from, to, publisher));
}

/** mayEdit mirrors knowledge.MayEdit: anyone fixes work in progress, publishers fix the rest; archived is restored first. */
export function mayEdit(state: ArticleState, publisher: boolean): boolean {
  if (state === 'wip' || state === 'not_validated') return true;
  if (state === 'validated' || state === 'published') return publisher;
  return false;
}

/** emptyContent is a new article's content. */
export function emptyContent(): ArticleContent {
  return {
    title: '', issue: '', environment: '', cause: '', resolution: '', audience: 'agents', locale: 'en',
    tags: [], category: '', queue_ids: [], products: [],
  };
}

/** fromDraft is the content of an article created from a conversation's draft. */
export function fromDraft(d: Draft): ArticleContent {
  return {
    ...emptyContent(),
    title: d.title ?? '', issue: d.issue ?? '', environment: d.environment ?? '', cause: d.cause ?? '',
    resolution: d.resolution ?? '', locale: d.locale || 'en', queue_ids: d.queue_ids ?? [],
  };
}

/** sameContent tells whether an edit changed nothing (so there is nothing to save). */
export function sameContent(a: ArticleContent, b: ArticleContent): boolean {
  const keys: (keyof ArticleContent)[] = ['title', 'issue', 'environment', 'cause', 'resolution', 'audience', 'locale', 'tags', 'category', 'queue_ids', 'products'];
  return keys.every((k) => JSON.stringify(a[k] ?? '') === JSON.stringify(b[k] ?? ''));
}

/** contentOf takes the content part of an article (or a version). */
export function contentOf(a: ArticleContent): ArticleContent {
  return {
    title: a.title, issue: a.issue, environment: a.environment, cause: a.cause, resolution: a.resolution,
    audience: a.audience, locale: a.locale, tags: a.tags ?? [], category: a.category, queue_ids: a.queue_ids ?? [],
    products: a.products ?? [],
  };
}

/**
 * resolutionText is what "insert resolution" puts into the reply: the
 * resolution's Markdown as plain text (the reply is plain text), trimmed.
 */
export function resolutionText(markdown: string): string {
  return markdown
    .replace(/\r\n/g, '\n')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .trim();
}
