// The inbox: views with their counts, filters, search and the live list.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { desktopApi, type InboxConversation, type QueueSummary } from '../api/desktop';
import { t, tMaybe } from '../i18n';
import { navigate } from '../router';
import { useSession } from '../session';
import { DEFAULT_FILTERS, searching, type Filters, type ViewId } from './inbox';
import { isTyping, onShortcut } from './shortcuts';
import { since, until, useNow } from './time';
import { useInbox } from './useInbox';
import { VirtualList } from './VirtualList';

const ROW_HEIGHT = 76;
const VIEW_KEY = 'switchboard.inbox.view';
const FILTERS_KEY = 'switchboard.inbox.filters';

function remembered<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v ? { ...fallback, ...JSON.parse(v) } : fallback;
  } catch {
    return fallback;
  }
}

function remember(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Remembering the view is a convenience; storage may be off.
  }
}

/** seesEverything tells whether the user gets every queue (everyone gets the All view). */
function seesEverything(role: string): boolean {
  return role === 'admin' || role === 'supervisor';
}

interface Props {
  openId: string;
}

/** InboxPanel is the left pane of the desktop. */
export function InboxPanel({ openId }: Props) {
  const { session, realtime } = useSession();
  const user = session.user;
  const [view, setView] = useState<ViewId>(() => {
    try {
      return (localStorage.getItem(VIEW_KEY) as ViewId | null) ?? 'mine';
    } catch {
      return 'mine';
    }
  });
  const [filters, setFilters] = useState<Filters>(() => remembered(FILTERS_KEY, DEFAULT_FILTERS));
  const [search, setSearch] = useState(filters.q);
  const [queues, setQueues] = useState<QueueSummary[]>([]);
  const [served, setServed] = useState<string[] | null>(null);
  const [channels, setChannels] = useState<string[]>([]);
  const [cursor, setCursor] = useState(-1);
  const [showFilters, setShowFilters] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const inbox = useInbox(realtime, user.id, view, filters, openId);
  const now = useNow(30_000);

  useEffect(() => {
    desktopApi.queues().then((p) => setQueues(p.items ?? []), () => setQueues([]));
    desktopApi.channels().then((p) => setChannels((p.items ?? []).map((c) => c.name)), () => setChannels([]));
    if (!seesEverything(user.role)) {
      desktopApi.myRouting().then((r) => setServed(r.queues ?? []), () => setServed([]));
    }
  }, [user.role]);

  useEffect(() => remember(VIEW_KEY, view), [view]);
  useEffect(() => remember(FILTERS_KEY, filters), [filters]);

  // Search as the agent types, once they pause.
  useEffect(() => {
    const id = setTimeout(() => setFilters((f) => (f.q === search ? f : { ...f, q: search })), 250);
    return () => clearTimeout(id);
  }, [search]);

  const visibleQueues = useMemo(() => {
    if (seesEverything(user.role)) return queues;
    if (!served) return [];
    return served.includes('*') ? queues : queues.filter((q) => served.includes(q.id));
  }, [queues, served, user.role]);

  const views: { id: ViewId; label: string; count?: number; unread?: number }[] = [
    { id: 'mine', label: t('inbox.view.mine'), count: inbox.counts?.mine },
    { id: 'unassigned', label: t('inbox.view.unassigned'), count: inbox.counts?.unassigned },
    { id: 'mentions', label: t('inbox.view.mentions'), count: inbox.counts?.mentions },
  ];
  views.push({ id: 'all', label: t('inbox.view.all'), count: inbox.counts?.all });
  const queueViews = visibleQueues.map((q) => {
    const c = inbox.counts?.queues.find((x) => x.queue_id === q.id);
    return { id: `queue:${q.id}` as ViewId, label: q.name, count: c?.open, unread: c?.unread };
  });

  const rows = inbox.list.rows;
  const openIndex = rows.findIndex((r) => r.id === openId);

  // j/k move the selection, Enter opens it, / searches.
  const state = useRef({ rows, cursor, openIndex });
  state.current = { rows, cursor, openIndex };
  useEffect(
    () =>
      onShortcut((action, ev) => {
        const { rows: rs, cursor: c, openIndex: o } = state.current;
        const at = c >= 0 ? c : o;
        if (action === 'next' || action === 'prev') {
          if (!rs.length) return;
          ev.preventDefault();
          const next = action === 'next' ? Math.min(rs.length - 1, at + 1) : Math.max(0, at < 0 ? 0 : at - 1);
          setCursor(next);
        } else if (action === 'open') {
          const r = rs[at];
          if (!r) return;
          ev.preventDefault();
          navigate(`/desktop/c/${encodeURIComponent(r.id)}`);
        } else if (action === 'search') {
          ev.preventDefault();
          searchRef.current?.focus();
        } else if (action === 'inbox') {
          ev.preventDefault();
          navigate('/desktop');
          setCursor(rs.length ? 0 : -1);
        }
      }),
    [],
  );

  const chooseView = (v: ViewId) => {
    setView(v);
    setCursor(-1);
  };
  const setFilter = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const filtered = filters.channel || filters.tag || filters.priority || filters.sla || filters.status !== 'active';

  return (
    <section
      class="desk-inbox"
      aria-labelledby="inbox-title"
      data-testid="inbox"
      data-ready={String(!inbox.loading || rows.length > 0)}
    >
      <div class="inbox-head">
        <h2 id="inbox-title">{t('desktop.inbox')}</h2>
        <div class="inbox-search">
          <label for="inbox-search" class="visually-hidden">
            {t('inbox.search')}
          </label>
          <input
            id="inbox-search"
            ref={searchRef}
            type="search"
            placeholder={t('inbox.searchPlaceholder')}
            value={search}
            data-testid="inbox-search"
            onInput={(e) => setSearch(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') e.currentTarget.blur();
            }}
          />
        </div>
      </div>
      <nav class="inbox-views" aria-label={t('inbox.views')}>
        <ul>
          {views.map((v) => (
            <ViewButton key={v.id} {...v} current={v.id === view} onChoose={chooseView} />
          ))}
        </ul>
        {queueViews.length > 0 && (
          <>
            <p class="inbox-views-label" id="inbox-queues-label">
              {t('inbox.queues')}
            </p>
            <ul aria-labelledby="inbox-queues-label">
              {queueViews.map((v) => (
                <ViewButton key={v.id} {...v} current={v.id === view} onChoose={chooseView} />
              ))}
            </ul>
          </>
        )}
      </nav>
      <div class="inbox-toolbar">
        <button
          type="button"
          class="button button-small button-quiet"
          aria-expanded={showFilters}
          aria-controls="inbox-filters"
          data-testid="inbox-filters-toggle"
          onClick={() => setShowFilters((s) => !s)}
        >
          {t('inbox.filters')}
          {filtered ? ' •' : ''}
        </button>
        <label class="inbox-sort">
          <span class="visually-hidden">{t('inbox.filter.sort')}</span>
          <select
            value={filters.sort}
            data-testid="inbox-sort"
            onChange={(e) => setFilter('sort', e.currentTarget.value as Filters['sort'])}
          >
            {(['newest', 'waiting', 'sla_due'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`inbox.sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <span class="inbox-shown muted small" role="status" data-testid="inbox-shown">
          {searching(filters)
            ? t(inbox.list.complete ? 'inbox.searchShown' : 'inbox.searchShownMore', { n: rows.length })
            : inbox.list.complete ? t('inbox.shown', { n: rows.length }) : t('inbox.shownMore', { n: rows.length })}
        </span>
      </div>
      {showFilters && (
        <div id="inbox-filters" class="inbox-filters" data-testid="inbox-filters">
          <FilterSelect
            label={t('inbox.filter.status')}
            value={filters.status}
            testId="filter-status"
            options={['active', 'open', 'pending', 'snoozed', 'resolved'].map((s) => [s, tMaybe(`inbox.status.${s}`, s)])}
            onChange={(v) => setFilter('status', v)}
          />
          <FilterSelect
            label={t('inbox.filter.channel')}
            value={filters.channel}
            testId="filter-channel"
            options={channels.map((c) => [c, c])}
            onChange={(v) => setFilter('channel', v)}
          />
          <FilterSelect
            label={t('inbox.filter.priority')}
            value={filters.priority}
            testId="filter-priority"
            options={['3', '2', '1', '0'].map((p) => [p, tMaybe(`inbox.priority.${p}`, p)])}
            onChange={(v) => setFilter('priority', v)}
          />
          <FilterSelect
            label={t('inbox.filter.sla')}
            value={filters.sla}
            testId="filter-sla"
            options={[['at_risk', t('inbox.sla.at_risk')], ['breached', t('inbox.sla.breached')]]}
            onChange={(v) => setFilter('sla', v as Filters['sla'])}
          />
          <label class="inbox-filter">
            <span>{t('inbox.filter.tag')}</span>
            <input
              type="text"
              value={filters.tag}
              data-testid="filter-tag"
              onChange={(e) => setFilter('tag', e.currentTarget.value.trim())}
            />
          </label>
          <button
            type="button"
            class="button button-small button-quiet"
            data-testid="filter-clear"
            onClick={() => setFilters((f) => ({ ...DEFAULT_FILTERS, sort: f.sort, q: f.q }))}
          >
            {t('inbox.clear')}
          </button>
        </div>
      )}
      {inbox.notice && (
        <div class="notice notice-error inbox-notice" role="alert" data-testid="inbox-notice">
          <span>{inbox.notice}</span>
          <button type="button" class="button button-small button-quiet" onClick={inbox.dismissNotice}>
            {t('common.close')}
          </button>
        </div>
      )}
      {inbox.error && (
        <div class="notice notice-error inbox-notice" role="alert" data-testid="inbox-error">
          <span>{inbox.error}</span>
          <button type="button" class="button button-small" onClick={inbox.reload}>
            {t('inbox.retry')}
          </button>
        </div>
      )}
      {rows.length === 0 && !inbox.error ? (
        <div class="empty-state inbox-empty" aria-busy={inbox.loading}>
          <p class="empty-title" data-testid="inbox-empty">
            {inbox.loading ? t('inbox.loading') : filtered || filters.q ? t('inbox.noMatches') : t('desktop.inboxEmpty')}
          </p>
          {!inbox.loading && <p class="muted">{filtered || filters.q ? t('inbox.noMatchesHint') : t('desktop.inboxEmptyHint')}</p>}
        </div>
      ) : (
        <VirtualList
          items={rows}
          rowHeight={ROW_HEIGHT}
          keyOf={(c) => c.id}
          label={t('inbox.list')}
          testId="inbox-list"
          scrollTo={cursor >= 0 ? cursor : undefined}
          onNearEnd={inbox.list.complete ? undefined : inbox.loadMore}
          renderRow={(c, i) => (
            <Row
              c={c}
              now={now}
              me={user.id}
              open={c.id === openId}
              selected={i === cursor}
              onChange={inbox.change}
            />
          )}
          footer={
            inbox.loading && rows.length > 0 ? (
              <p class="muted small inbox-more" role="status">
                {t('inbox.loadingMore')}
              </p>
            ) : null
          }
        />
      )}
    </section>
  );
}

function ViewButton(p: {
  id: ViewId; label: string; count?: number; unread?: number; current: boolean; onChoose: (v: ViewId) => void;
}) {
  return (
    <li>
      <button
        type="button"
        class="inbox-view"
        aria-current={p.current ? 'true' : undefined}
        data-testid={`inbox-view-${p.id.replace(':', '-')}`}
        onClick={() => p.onChoose(p.id)}
      >
        <span class="inbox-view-name">{p.label}</span>
        {p.unread ? (
          <span class="badge badge-unread" title={t('inbox.unreadCount', { n: p.unread })}>
            {p.unread}
          </span>
        ) : null}
        {p.count !== undefined && (
          <span class="inbox-view-count" data-testid={`inbox-count-${p.id.replace(':', '-')}`}>
            <span class="visually-hidden">{t('inbox.count', { n: p.count })}</span>
            <span aria-hidden="true">{p.count}</span>
          </span>
        )}
      </button>
    </li>
  );
}

function FilterSelect(p: {
  label: string; value: string; testId: string; options: string[][]; onChange: (v: string) => void;
}) {
  return (
    <label class="inbox-filter">
      <span>{p.label}</span>
      <select value={p.value} data-testid={p.testId} onChange={(e) => p.onChange(e.currentTarget.value)}>
        <option value="">{t('inbox.any')}</option>
        {p.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

interface RowProps {
  c: InboxConversation;
  now: number;
  me: string;
  open: boolean;
  selected: boolean;
  onChange: (id: string, change: { assignee_id?: string; status?: InboxConversation['status'] }) => Promise<boolean>;
}

function Row({ c, now, me, open, selected, onChange }: RowProps) {
  const link = useRef<HTMLAnchorElement>(null);
  // The selected row takes focus when it appears (j/k may have scrolled it into
  // the DOM), unless the agent is busy elsewhere, in a field or a dialog.
  useEffect(() => {
    const active = document.activeElement;
    if (selected && !isTyping(active) && !active?.closest('dialog')) link.current?.focus({ preventScroll: true });
  }, [selected]);
  const name = c.persona_name || c.subject || t('inbox.noSubject');
  const preview = c.last_message_preview ?? (c.persona_name ? c.subject : '');
  const unread = c.unread_count ?? 0;
  const sla = until(c.sla_due_at, now);
  const waited = c.waiting_since ? t('inbox.waiting', { time: since(c.waiting_since, now) }) : since(c.last_message_at ?? c.updated_at, now);
  const href = `/desktop/c/${encodeURIComponent(c.id)}`;
  return (
    <div
      class={`inbox-row${open ? ' is-open' : ''}${selected ? ' is-selected' : ''}${unread ? ' is-unread' : ''}`}
      data-testid="inbox-row"
      data-conversation-id={c.id}
      data-status={c.status}
    >
      <a
        ref={link}
        href={href}
        class="inbox-row-link"
        aria-current={open ? 'true' : undefined}
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
          e.preventDefault();
          navigate(href);
        }}
      >
        <span class="inbox-row-top">
          <span class="inbox-row-name" data-testid="inbox-row-name">
            {name}
          </span>
          <span class="inbox-row-time">{waited}</span>
        </span>
        <span class="inbox-row-preview">{preview}</span>
        <span class="inbox-row-meta">
          <span class="chip">{c.channel}</span>
          {c.priority >= 2 && (
            <span class={`chip chip-priority-${c.priority}`}>{tMaybe(`inbox.priority.${c.priority}`, String(c.priority))}</span>
          )}
          {c.status !== 'open' && <span class="chip">{tMaybe(`inbox.status.${c.status}`, c.status)}</span>}
          {sla.text && <span class={`chip ${sla.overdue ? 'chip-danger' : 'chip-warning'}`}>{t('inbox.slaDue', { time: sla.text })}</span>}
          {c.assignee_id === me && <span class="chip chip-accent">{t('inbox.assignedToMe')}</span>}
          {unread > 0 && (
            <span class="badge badge-unread" data-testid="inbox-row-unread">
              <span aria-hidden="true">{unread}</span>
              <span class="visually-hidden">{t('inbox.unread', { n: unread })}</span>
            </span>
          )}
        </span>
      </a>
      <span class="inbox-row-actions">
        {!c.assignee_id && c.status !== 'resolved' && (
          <button
            type="button"
            class="button button-small"
            data-testid="inbox-row-take"
            aria-label={t('inbox.takeLabel', { name })}
            onClick={() => {
              // Taking a conversation is to answer it: it opens, so the composer
              // on screen is this customer's and not the one open before.
              void onChange(c.id, { assignee_id: me }).then((ok) => ok && navigate(href));
            }}
          >
            {t('inbox.take')}
          </button>
        )}
        {c.status === 'resolved' ? (
          <button
            type="button"
            class="button button-small button-quiet"
            data-testid="inbox-row-reopen"
            aria-label={t('inbox.reopenLabel', { name })}
            onClick={() => void onChange(c.id, { status: 'open' })}
          >
            {t('inbox.reopen')}
          </button>
        ) : (
          <button
            type="button"
            class="button button-small button-quiet"
            data-testid="inbox-row-resolve"
            aria-label={t('inbox.resolveLabel', { name })}
            onClick={() => void onChange(c.id, { status: 'resolved' })}
          >
            {t('inbox.resolve')}
          </button>
        )}
      </span>
    </div>
  );
}
