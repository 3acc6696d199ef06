// The inbox's logic, free of I/O: which conversations a view holds, how the list
// is ordered, and how an event from the realtime feed changes what is shown.
import type { InboxConversation, InboxSort, ListParams, SLAFilter } from '../api/desktop';

/** ViewId names an inbox view: a fixed one, or `queue:<id>` for a queue. */
export type ViewId = 'mine' | 'unassigned' | 'mentions' | 'all' | `queue:${string}`;

/** Filters are the choices above the list; empty means any. */
export interface Filters {
  status: string;
  channel: string;
  tag: string;
  priority: string;
  sla: SLAFilter;
  sort: InboxSort;
  q: string;
}

/** DEFAULT_FILTERS shows the open conversations, newest first. */
export const DEFAULT_FILTERS: Filters = { status: 'active', channel: '', tag: '', priority: '', sla: '', sort: 'newest', q: '' };

/** queueOf returns the queue id of a queue view, or '' for the others. */
export function queueOf(view: ViewId): string {
  return view.startsWith('queue:') ? view.slice('queue:'.length) : '';
}

/**
 * searching tells whether the filters hold a search. A search looks through
 * every conversation the user may see, whatever the view, and in any state
 * unless a state other than the default was picked: an agent looking for a
 * customer expects to find them, not "nothing in Mine".
 */
export function searching(f: Filters): boolean {
  return f.q.trim() !== '';
}

/** listParams turns a view and its filters into the list call's query. */
export function listParams(view: ViewId, f: Filters): ListParams {
  const p: ListParams = {
    status: f.status, channel: f.channel, tag: f.tag, priority: f.priority, sla: f.sla, q: f.q.trim(),
    sort: f.sort === 'newest' ? undefined : f.sort,
  };
  if (searching(f)) {
    if (p.status === 'active') p.status = '';
    return p;
  }
  if (view === 'mine') p.assignee_id = 'me';
  else if (view === 'unassigned') p.assignee_id = 'none';
  else if (view === 'mentions') p.mentions = 'me';
  else if (queueOf(view)) p.queue_id = queueOf(view);
  return p;
}

/**
 * matches tells whether c belongs in the view: true, false, or undefined when the
 * browser cannot tell (a search, mentions, SLA state, or a queue the server did not
 * name). An undecided conversation already in the list is updated in place but a
 * new one is not added: the next load shows it.
 */
export function matches(c: InboxConversation, view: ViewId, f: Filters, userId: string): boolean | undefined {
  if (searching(f)) return undefined;
  if (f.status === 'active' ? c.status !== 'open' && c.status !== 'pending' : f.status && c.status !== f.status) return false;
  if (f.channel && c.channel !== f.channel && !c.modalities?.includes(f.channel)) return false;
  if (f.tag && !c.tags?.includes(f.tag)) return false;
  if (f.priority && String(c.priority) !== f.priority) return false;
  if (view === 'mine' && c.assignee_id !== userId) return false;
  if (view === 'unassigned' && c.assignee_id) return false;
  let known = true;
  const queue = queueOf(view);
  if (queue) {
    if (c.queue_id === undefined) known = false;
    else if (c.queue_id !== queue) return false;
  }
  if (view === 'mentions' || f.q.trim() || f.sla) known = false;
  return known ? true : undefined;
}

/** compare orders two conversations the way the server sorts them. */
export function compare(sort: InboxSort, a: InboxConversation, b: InboxConversation): number {
  if (sort === 'waiting' || sort === 'sla_due') {
    const ka = (sort === 'waiting' ? a.waiting_since : a.sla_due_at) || '';
    const kb = (sort === 'waiting' ? b.waiting_since : b.sla_due_at) || '';
    // Soonest first; those without a time go last.
    if (ka !== kb) {
      if (!ka) return 1;
      if (!kb) return -1;
      return Date.parse(ka) - Date.parse(kb);
    }
  }
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** newer tells whether c is at least as recent as the copy we hold. */
function newer(c: InboxConversation, held: InboxConversation | undefined): boolean {
  return !held || Date.parse(c.updated_at) >= Date.parse(held.updated_at);
}

/** ListState is the loaded part of a view: rows in order, and whether more pages exist. */
export interface ListState {
  rows: InboxConversation[];
  complete: boolean;
}

/**
 * upsert applies a changed conversation to the list. It keeps list-only fields the
 * event lacks, drops the row when it left the view, and adds a new one only where
 * it sorts inside the loaded part (a row further down arrives with the next page).
 */
export function upsert(
  s: ListState, c: InboxConversation, view: ViewId, f: Filters, userId: string,
): ListState {
  const i = s.rows.findIndex((r) => r.id === c.id);
  const held = i >= 0 ? s.rows[i] : undefined;
  if (!newer(c, held)) return s;
  const merged: InboxConversation = held ? { ...held, ...definedOnly(c) } : c;
  const m = matches(merged, view, f, userId);
  const rows = s.rows.slice();
  if (i >= 0) rows.splice(i, 1);
  if (m === false || (m === undefined && i < 0)) return i >= 0 ? { ...s, rows } : s;
  const at = rows.findIndex((r) => compare(f.sort, merged, r) < 0);
  if (at < 0) {
    if (!s.complete && i < 0) return s;
    rows.push(merged);
  } else {
    rows.splice(at, 0, merged);
  }
  return { ...s, rows };
}

/** patch changes one loaded row in place (an optimistic update or its rollback). */
export function patch(s: ListState, id: string, fn: (c: InboxConversation) => InboxConversation): ListState {
  const i = s.rows.findIndex((r) => r.id === id);
  if (i < 0) return s;
  const rows = s.rows.slice();
  rows[i] = fn(rows[i]!);
  return { ...s, rows };
}

/** appendPage adds a loaded page, skipping rows a live event already put in. */
export function appendPage(s: ListState, page: InboxConversation[], complete: boolean): ListState {
  const have = new Set(s.rows.map((r) => r.id));
  return { rows: [...s.rows, ...page.filter((r) => !have.has(r.id))], complete };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** MODALITY maps a channel to the kind of work it is for capacity. */
export function modalityOf(channel: string): string {
  switch (channel) {
    case 'webchat':
      return 'chat';
    case 'email':
    case 'voice':
    case 'video':
      return channel;
    default:
      return 'message';
  }
}

/** loadByModality counts the open conversations assigned to userId, per modality. */
export function loadByModality(rows: Iterable<InboxConversation>, userId: string): Record<string, number> {
  const load: Record<string, number> = {};
  for (const c of rows) {
    if (c.assignee_id !== userId || c.status !== 'open') continue;
    const m = modalityOf(c.channel);
    load[m] = (load[m] ?? 0) + 1;
  }
  return load;
}
