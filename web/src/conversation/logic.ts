// The conversation view's pure rules: which SLA clock counts, which channels a
// reply may go out on, how the timeline merges live events, what the composer's
// "@" and "/" triggers are asking for. No I/O and no clock: time comes in.
import type { ChannelInfo, Identifier, Message, Persona, SLAClock } from '../api/conversation';
import type { User } from '../types';

/** SlaView is the clock the header shows: the soonest due of the live ones. */
export interface SlaView {
  clock: SLAClock;
  /** remainingMs is negative once the due time has passed. */
  remainingMs: number;
  level: 'ok' | 'warning' | 'breached';
}

/** nextSla picks the running or warned clock due soonest, or null when none is live. */
export function nextSla(clocks: SLAClock[], now: number): SlaView | null {
  let best: SLAClock | null = null;
  for (const c of clocks) {
    if ((c.state !== 'running' && c.state !== 'warned') || !c.due_at) continue;
    if (!best || Date.parse(c.due_at) < Date.parse(best.due_at!)) best = c;
  }
  if (!best) return null;
  const remainingMs = Date.parse(best.due_at!) - now;
  const warned = best.state === 'warned' || (best.warn_at !== undefined && Date.parse(best.warn_at) <= now);
  const level = remainingMs <= 0 || best.breached ? 'breached' : warned ? 'warning' : 'ok';
  return { clock: best, remainingMs, level };
}

/** formatRemaining shows a duration as "1h 04m", "4m 09s" or "-2m 10s". */
export function formatRemaining(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${sign}${h}h ${pad(m)}m` : `${sign}${m}m ${pad(sec)}s`;
}

/**
 * replyChannels lists the channels a reply may use: those whose identifier kind the
 * persona has, and those that address the persona itself (empty kind). The
 * conversation's own modalities come first, in their order of use.
 */
export function replyChannels(channels: ChannelInfo[], persona: Persona | null, modalities: string[]): ChannelInfo[] {
  const kinds = new Set((persona?.identifiers ?? []).map((i) => i.kind));
  const usable = channels.filter((c) => c.capabilities.identifier === '' || kinds.has(c.capabilities.identifier));
  const rank = (name: string) => {
    const i = modalities.indexOf(name);
    return i < 0 ? modalities.length : i;
  };
  return usable.slice().sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** defaultReplyChannel is where the customer last wrote, else where the conversation began. */
export function defaultReplyChannel(messages: Message[], fallback: string): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.kind === 'message' && m.direction === 'in') return m.channel;
  }
  return fallback;
}

/** upsertMessage puts m into the timeline: replacing the same id (or the optimistic copy it confirms), else appending in time order. */
export function upsertMessage(list: Message[], m: Message, replaces?: string): Message[] {
  const i = list.findIndex((x) => x.id === m.id || (replaces !== undefined && x.id === replaces));
  if (i >= 0) {
    const next = list.slice();
    next[i] = m;
    // A confirmed optimistic copy and a live event may both arrive: keep one.
    return next.filter((x, j) => j === i || x.id !== m.id);
  }
  const next = [...list, m];
  let j = next.length - 1;
  while (j > 0 && next[j - 1]!.created_at > m.created_at && !next[j - 1]!.id.startsWith(PENDING)) {
    next[j] = next[j - 1]!;
    j--;
  }
  next[j] = m;
  return next;
}

/** PENDING prefixes the ids of optimistic messages not yet confirmed by the server. */
export const PENDING = 'pending-';

/** Trigger is what the word under the caret asks the composer for. */
export type Trigger = { kind: 'mention' | 'canned'; query: string; start: number } | null;

/**
 * triggerAt reads the word that ends at caret: "@an" asks for a mention (notes
 * only), "/ref" at the start of a line asks for a canned response.
 */
export function triggerAt(text: string, caret: number, noteMode: boolean): Trigger {
  const before = text.slice(0, caret);
  const m = /(^|\s)([@/])([^\s@/]*)$/.exec(before);
  if (!m) return null;
  const start = before.length - m[3]!.length - 1;
  if (m[2] === '@') return noteMode ? { kind: 'mention', query: m[3]!, start } : null;
  const lineStart = before.lastIndexOf('\n') + 1;
  return start === lineStart ? { kind: 'canned', query: m[3]!, start } : null;
}

/** replaceTrigger swaps the trigger word for insert and returns the new text and caret. */
export function replaceTrigger(text: string, caret: number, start: number, insert: string): { text: string; caret: number } {
  const next = text.slice(0, start) + insert + text.slice(caret);
  return { text: next, caret: start + insert.length };
}

/** quotedText returns the folded-away email history a message carries in meta.quoted, or "". */
export function quotedText(m: Message): string {
  const q = m.meta?.['quoted'];
  return typeof q === 'string' ? q : '';
}

/** damageNotes lists what of a mail could not be read as sent (meta.damaged), for the marker beside it. */
export function damageNotes(m: Message): string[] {
  const d = m.meta?.['damaged'];
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/** StoryLink is an Instagram story a message mentions or answers: its URL on Meta's CDN, never stored by us. */
export interface StoryLink {
  kind: 'mention' | 'reply';
  url: string;
}

/** storyLink is the story a message mentions (meta.story_mention) or replies to (meta.story_reply), if any. */
export function storyLink(m: Message): StoryLink | null {
  for (const [key, kind] of [['story_mention', 'mention'], ['story_reply', 'reply']] as const) {
    const v = m.meta?.[key];
    if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)['url'] === 'string') {
      const url = (v as Record<string, string>)['url']!;
      if (url.startsWith('https://') || url.startsWith('http://')) return { kind, url };
    }
  }
  return null;
}

/** originalURL is where the message as received (a mail's .eml) downloads, or "" when none was kept. */
export function originalURL(m: Message): string {
  const id = m.meta?.['original_id'];
  return typeof id === 'string' && id !== '' ? `/api/v1/messages/${encodeURIComponent(m.id)}/original` : '';
}

/** latestInbound is the newest customer message, the one to mark read. */
export function latestInbound(messages: Message[]): Message | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.kind === 'message' && m.direction === 'in') return m;
  }
  return undefined;
}

/** localTime shows now in the persona's time zone, or "" when the zone is unknown. */
export function localTime(timeZone: string, now: Date, locale: string): string {
  if (!timeZone) return '';
  try {
    return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(now);
  } catch {
    return '';
  }
}

/** draftKey is where a conversation's draft lives in localStorage. */
export function draftKey(conversationID: string): string {
  return `switchboard:draft:${conversationID}`;
}

/**
 * PERSONA_EVENT is the window CustomEvent (detail: the Persona) the customer panel
 * sends after editing the customer, so that the composer offers the channels their
 * new identifiers open without a reload.
 */
export const PERSONA_EVENT = 'switchboard:persona-updated';

/** IdentifierProof is how the customer panel marks one identifier. */
export interface IdentifierProof {
  state: 'verified' | 'claimed' | 'unverified';
  /** key is the message naming how it was proven (or that it was not). */
  key: string;
}

const PROVEN_BY = new Set(['widget_signed_user', 'mail_from_mailbox', 'sms_from_number', 'whatsapp_from_number', 'telegram_chat', 'meta_sender', 'social_post', 'portal_signin', 'agent_entered']);

/**
 * identifierProof tells the agent how far to trust an identifier: verified and
 * how, claimed in a form and not verified, or not verified (an anonymous
 * visitor's id, an address from before verification was recorded).
 */
export function identifierProof(i: Identifier, claim = false): IdentifierProof {
  if (claim || i.verified_by === 'unverified_form') return { state: 'claimed', key: 'cust.proof.claimed' };
  if (!i.verified) return { state: 'unverified', key: 'cust.proof.unverified' };
  return { state: 'verified', key: PROVEN_BY.has(i.verified_by ?? '') ? `cust.proof.${i.verified_by}` : 'cust.proof.verified' };
}

// A variable is {{ name }} with name of letters, digits, "_" and "."; a
// backslash before it makes it text (the server's rule, internal/inbox/variables.go).
const VARIABLE = /(\\?)\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** VariableSpot is one unresolved variable in a draft: its name and where it sits. */
export interface VariableSpot {
  name: string;
  start: number;
  end: number;
}

/**
 * unresolvedVariables lists the first place of each variable a draft still
 * carries, unescaped, in order: what the agent must fill in before a reply goes
 * out (the server refuses it otherwise).
 */
export function unresolvedVariables(text: string): VariableSpot[] {
  const out: VariableSpot[] = [];
  for (const m of text.matchAll(VARIABLE)) {
    const name = m[2]!;
    if (m[1] || out.some((v) => v.name === name)) continue;
    out.push({ name, start: m.index!, end: m.index! + m[0].length });
  }
  return out;
}

/** BUTTON_CHANNELS are the channels that show a reply's quick replies as buttons. */
export const BUTTON_CHANNELS = ['telegram'];

/**
 * quickRepliesOf reads the quick replies an agent typed, separated by "|":
 * trimmed, empty ones dropped, the first of duplicates kept, at most ten
 * (the server refuses more, and choices over 40 characters).
 */
export function quickRepliesOf(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split('|')) {
    const q = part.trim();
    if (q && !out.includes(q)) out.push(q);
  }
  return out.slice(0, 10);
}

/** agentNames names the agents a routing step's description lists by id (the server describes steps by user id). */
export function agentNames(description: string, users: User[]): string {
  return users.reduce((d, u) => d.replaceAll(u.id, u.name), description);
}
