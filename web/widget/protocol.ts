// The web chat wire protocol as the widget speaks it (the server side is
// internal/channel/webchat), and the pure helpers around it: no DOM, no I/O, so
// each can be reasoned about — and tested — alone.
import type { CallFrame, OutFrame } from '../src/voice/call';

/** Attachment is a file on a message, served to the visitor by url. */
export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  url: string;
}

/** Message is one visible item of the visitor's conversation ("M" in the protocol). */
export interface Message {
  id: string;
  conversation_id: string;
  direction: 'in' | 'out'; // in: from the visitor; out: from the business
  author_type: string;
  author_name?: string;
  body: string;
  attachments?: Attachment[] | null;
  status: string;
  created_at: string;
}

/** Config is how the business set the widget up (the session's "config"). */
export interface Config {
  title: string;
  greeting: string;
  offline: boolean;
  prechat_fields: string[] | null;
  max_upload_bytes: number;
  accept: string[] | null;
  /** end_message is what the visitor reads when an agent resolves the chat. */
  end_message?: string;
  /** brand_color is the business's colour (#rrggbb), the widget's accent. */
  brand_color?: string;
}

/** Session is the answer to POST …/session. */
export interface Session {
  visitor_token: string;
  visitor_id: string;
  conversation_id: string;
  config: Config;
}

/** Identity is what the page tells about a signed-in user (signed by the business). */
export interface Identity {
  userId?: string;
  userHash?: string;
  name?: string;
  email?: string;
}

/** PageContext is where the visitor is, sent with the first message of a page view. */
export interface PageContext {
  url: string;
  title: string;
  search: string;
  referrer: string;
  /** help_session carries the visitor's help-center trail into the conversation. */
  help_session?: string;
}

/** ArticleHit is an article the deflection search found. */
export interface ArticleHit {
  slug: string;
  title: string;
  snippet_html: string;
}

/** ArticleView is an article opened inline: its body is HTML the center sanitised. */
export interface ArticleView {
  slug: string;
  title: string;
  html: string;
  url: string;
  session: string;
}

/** Survey is the satisfaction survey after a chat ends ("survey" frame). */
export interface Survey {
  conversation_id: string;
  state: 'sent' | 'answered';
  question?: string;
  comment_prompt?: string;
  thanks?: string;
  rating?: number;
}

/** Wait is the visitor's place in the queue and the estimated wait ("wait" frame). */
export interface Wait {
  conversation_id: string;
  waiting: boolean;
  position?: number;
  estimated_wait_seconds?: number | null;
  /** text says it to the visitor: "You are number 3 in line, about 2 minutes." */
  text?: string;
}

/** ServerFrame is every frame the socket receives. */
export type ServerFrame =
  | { type: 'ready'; conversation_id: string }
  | { type: 'message'; message: Message }
  | { type: 'ack'; client_id: string; message: Message }
  | { type: 'typing'; on: boolean; name?: string }
  | { type: 'read'; message_id: string }
  | { type: 'ended'; conversation_id: string; text: string }
  | { type: 'error'; code: string; detail: string; client_id?: string }
  | { type: 'pong' }
  | ({ type: 'survey' } & Survey)
  | ({ type: 'wait' } & Wait)
  | CallFrame;

/** ClientFrame is every frame the widget sends. */
export type ClientFrame =
  | { type: 'message'; client_id: string; body: string; context?: PageContext; new_conversation?: boolean }
  | { type: 'typing'; on: boolean }
  | { type: 'read'; message_id: string }
  | { type: 'ping' }
  | { type: 'csat'; rating: number; comment: string }
  | OutFrame;

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/**
 * backoffDelay is how long to wait before reconnect attempt n (0-based): 0.5 s
 * doubling to 30 s, scaled by a random factor in [0.5, 1) so that a restarted
 * server is not met by every visitor of every site in the same millisecond.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * baseFromScript is the center's address from the widget's own src: the script
 * lives at <base>/widget/widget.js, so a center under a sub-path works too.
 */
export function baseFromScript(src: string): string {
  return new URL('..', new URL(src)).href.replace(/\/+$/, '');
}

/** endpoint is the URL of one of the widget's HTTP endpoints, with query parameters. */
export function endpoint(base: string, key: string, path: string, query: Record<string, string | undefined> = {}): string {
  const u = new URL(`${base}/channels/webchat/${encodeURIComponent(key)}/${path}`);
  for (const [k, v] of Object.entries(query)) if (v) u.searchParams.set(k, v);
  return u.href;
}

/** socketURL is the WebSocket address, resuming after the last message the widget holds. */
export function socketURL(base: string, key: string, token: string, after?: string): string {
  return endpoint(base, key, 'socket', { token, after }).replace(/^http/, 'ws');
}

/** pageContext describes the page: the ?q=, ?s= or ?search= parameter becomes "search". */
export function pageContext(href: string, title: string, referrer: string, helpSession?: string): PageContext {
  const q = new URL(href).searchParams;
  const c: PageContext = { url: href, title, search: q.get('q') ?? q.get('s') ?? q.get('search') ?? '', referrer };
  if (helpSession) c.help_session = helpSession;
  return c;
}

/** deflectable says whether a draft is worth searching articles for: a few words, before any chat. */
export function deflectable(draft: string, chatting: boolean): boolean {
  return !chatting && draft.trim().length >= 4;
}

/**
 * DEFAULT_ACCEPT is what uploads allow when the session names nothing (the
 * server's default; SVG is left out, as it can carry script).
 */
export const DEFAULT_ACCEPT = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'video/webm'];

/**
 * uploadProblem says why a file may not be sent ("size" or "type"), or returns
 * undefined when it may. accept holds MIME types, "type/*" wildcards or ".ext".
 */
export function uploadProblem(
  file: { name: string; type: string; size: number },
  accept: readonly string[],
  maxBytes: number,
): 'size' | 'type' | undefined {
  if (maxBytes > 0 && file.size > maxBytes) return 'size';
  const type = file.type.toLowerCase();
  const name = file.name.toLowerCase();
  const ok = accept.some((a) => {
    a = a.trim().toLowerCase();
    if (a === '*' || a === '*/*') return true;
    if (a.startsWith('.')) return name.endsWith(a);
    if (a.endsWith('/*')) return type.startsWith(a.slice(0, -1));
    return a === type;
  });
  return ok ? undefined : 'type';
}

/** newClientID returns a random id for one message, the server's dedupe key. */
export function newClientID(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** formatBytes renders a size for people: 512 B, 1.5 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
