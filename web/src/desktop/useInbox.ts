// The live inbox: loads a view page by page, then keeps it current from the
// realtime feed alone. It reloads only when the feed (re)connects, since a
// connection opened without a resume point may have missed events.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { desktopApi, type ConversationChange, type InboxConversation, type InboxCounts } from '../api/desktop';
import { t } from '../i18n';
import { announceResolved } from '../knowledge/events';
import type { RealtimeClient } from '../realtime';
import type { RealtimeEvent } from '../types';
import { appendPage, listParams, patch, upsert, type Filters, type ListState, type ViewId } from './inbox';

const PAGE = 100;

/** Inbox is what the list component reads and does. */
export interface Inbox {
  list: ListState;
  loading: boolean;
  error: string;
  /** notice is the last rolled-back change, shown until the next one. */
  notice: string;
  counts: InboxCounts | null;
  loadMore: () => void;
  reload: () => void;
  /** change applies c at once and rolls it back, with a notice, if the server refuses. */
  /** change saves a change to a row and reports whether the server took it. */
  change: (id: string, c: ConversationChange) => Promise<boolean>;
  dismissNotice: () => void;
}

/** conversationOf digs the conversation out of a conversation.* or message.* event. */
export function conversationOf(ev: RealtimeEvent): InboxConversation | null {
  const d = ev.data as Record<string, unknown> | null | undefined;
  if (!d || typeof d !== 'object') return null;
  if (ev.type === 'conversation.created' || ev.type === 'conversation.updated') return d as unknown as InboxConversation;
  if (ev.type === 'message.created' || ev.type === 'message.updated') {
    const c = d.conversation as InboxConversation | undefined;
    return c && typeof c.id === 'string' ? c : null;
  }
  return null;
}

/** FeedMessage is what the list reads of a message.created event. */
interface FeedMessage {
  direction?: string;
  kind?: string;
  body?: string;
  created_at?: string;
}

/**
 * withMessage fills the list-only fields an event's conversation lacks from the
 * new message, as the server computes them: the preview, the unread count (not
 * for the conversation the agent has open), and since when the customer waits.
 */
export function withMessage(
  c: InboxConversation, held: InboxConversation | undefined, msg: FeedMessage | undefined, openId: string,
): InboxConversation {
  if (!msg || msg.kind !== 'message') return c;
  const next = { ...c };
  if (c.last_message_preview === undefined && msg.body) next.last_message_preview = msg.body.slice(0, 140);
  if (msg.direction === 'in') {
    if (c.unread_count === undefined && c.id !== openId) next.unread_count = (held?.unread_count ?? 0) + 1;
    if (c.waiting_since === undefined) next.waiting_since = held?.waiting_since || msg.created_at || null;
  } else if (msg.direction === 'out' && c.waiting_since === undefined) {
    next.waiting_since = null;
  }
  return next;
}

/** listAfter is the list once the feed's event ev has been applied to it. */
export function listAfter(s: ListState, ev: RealtimeEvent, view: ViewId, f: Filters, userId: string, openId: string): ListState {
  const c = conversationOf(ev);
  if (!c) return s;
  const msg = ev.type === 'message.created' ? (ev.data as { message?: FeedMessage }).message : undefined;
  return upsert(s, withMessage(c, s.rows.find((r) => r.id === c.id), msg, openId), view, f, userId);
}

const EMPTY: ListState = { rows: [], complete: false };

/** useInbox loads view with filters and applies the feed to it. */
export function useInbox(realtime: RealtimeClient, userId: string, view: ViewId, filters: Filters, openId: string): Inbox {
  const [list, setList] = useState<ListState>(EMPTY);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [counts, setCounts] = useState<InboxCounts | null>(null);
  const [epoch, setEpoch] = useState(0);
  const listRef = useRef(list);
  listRef.current = list;
  const cursor = useRef('');
  const gen = useRef(0);
  const busy = useRef(false);
  const countsSupported = useRef(true);
  const countsTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const ctx = useRef({ view, filters, userId, openId });
  ctx.current = { view, filters, userId, openId };

  // Each connection of the feed starts an epoch and the list reloads for it, so
  // nothing sent while no socket was open is missed. Epoch 0 waits briefly for
  // the first connection; -1 gave up waiting and loads without live updates.
  useEffect(() => {
    let prev = '';
    const unwatch = realtime.watchState((s) => {
      if (s === 'connected' && prev !== 'connected') setEpoch((e) => (e < 1 ? 1 : e + 1));
      prev = s;
    });
    const wait = setTimeout(() => setEpoch((e) => (e === 0 ? -1 : e)), 2000);
    return () => {
      unwatch();
      clearTimeout(wait);
    };
  }, [realtime]);

  const loadCounts = useCallback(() => {
    // At most one call per 300 ms however busy the feed is, and never starved by it.
    if (!countsSupported.current || countsTimer.current !== undefined) return;
    countsTimer.current = setTimeout(() => {
      countsTimer.current = undefined;
      desktopApi.counts().then(setCounts, (err) => {
        if (err instanceof ApiError && (err.status === 404 || err.status === 405)) countsSupported.current = false;
      });
    }, 300);
  }, []);

  const load = useCallback(async (first: boolean) => {
    if (!first && (busy.current || !cursor.current)) return;
    const g = first ? ++gen.current : gen.current;
    busy.current = true;
    setLoading(true);
    try {
      const { view: v, filters: f } = ctx.current;
      const { value: page, since } = await realtime.snapshot(() =>
        desktopApi.conversations(listParams(v, f), first ? undefined : cursor.current, PAGE),
      );
      if (g !== gen.current) return;
      cursor.current = page.next_cursor ?? '';
      const items = Array.isArray(page.items) ? page.items : [];
      setList((s) => {
        if (!first) return appendPage(s, items, !cursor.current);
        // A first page replaces the rows: what the feed said while it was on its way goes on top.
        const { userId: me, openId: open } = ctx.current;
        return since.reduce((n, ev) => listAfter(n, ev, v, f, me, open), appendPage({ rows: [], complete: false }, items, !cursor.current));
      });
      setError('');
    } catch (err) {
      if (g === gen.current) setError(t('inbox.loadFailed', { detail: errorMessage(err) }));
    } finally {
      if (g === gen.current) {
        busy.current = false;
        setLoading(false);
      }
    }
  }, [realtime]);

  useEffect(() => () => clearTimeout(countsTimer.current), []);

  // A new view starts empty; a reconnect keeps the rows until the fresh page lands.
  // The rows are shown only under the view they were loaded for: the render that
  // switches views must not show the last view's rows under the new one's name
  // until an effect clears them (an agent who clicked Mine saw her Mentions
  // rows there for a frame, and could click one).
  const viewKey = JSON.stringify([view, filters]);
  const listView = useRef(viewKey);
  useLayoutEffect(() => {
    if (listView.current === viewKey) return;
    listView.current = viewKey;
    setList(EMPTY);
  }, [viewKey]);

  const key = JSON.stringify([viewKey, epoch]);
  useEffect(() => {
    if (epoch === 0) return;
    cursor.current = '';
    busy.current = false;
    void load(true);
    loadCounts();
  }, [key, load, loadCounts]);

  // The conversation view marks what the agent opens as read.
  useEffect(() => {
    if (openId) setList((s) => patch(s, openId, (r) => (r.unread_count ? { ...r, unread_count: 0 } : r)));
  }, [openId, list.rows.length]);

  useEffect(
    () =>
      realtime.subscribe((ev) => {
        if (!conversationOf(ev)) return;
        const { view: v, filters: f, userId: me, openId: open } = ctx.current;
        setList((s) => listAfter(s, ev, v, f, me, open));
        loadCounts();
      }),
    [realtime, loadCounts],
  );

  const change = useCallback(async (id: string, c: ConversationChange) => {
    const before: InboxConversation | undefined = listRef.current.rows.find((r) => r.id === id);
    setList((s) => patch(s, id, (r) => ({ ...r, ...c })));
    setNotice('');
    try {
      const saved = await desktopApi.updateConversation(id, c);
      if (c.status === 'resolved' && before?.status !== 'resolved') announceResolved(id);
      const { view: v, filters: f, userId: me } = ctx.current;
      setList((s) => upsert(s, saved, v, f, me));
      loadCounts();
      return true;
    } catch (err) {
      if (before) {
        const held = before;
        setList((s) => patch(s, id, () => held));
      }
      setNotice(t('inbox.failed', { detail: errorMessage(err) }));
      return false;
    }
  }, [loadCounts]);

  return {
    list: listView.current === viewKey ? list : EMPTY,
    loading, error, notice, counts,
    loadMore: () => void load(false),
    reload: () => void load(true),
    change,
    dismissNotice: () => setNotice(''),
  };
}
