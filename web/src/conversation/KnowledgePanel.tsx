// KnowledgePanel is KCS in the desktop: the articles suggested for the open
// conversation stay in view, ranked for it, and are asked again whenever the
// customer writes; the agent's own searches here are recorded with the
// conversation; "l" links the focused suggestion (a link is a reuse), "i"
// links it and inserts its resolution into the reply; a suggestion that does
// not fit is dismissed; "Create article from this conversation" opens a
// work-in-progress article filled in from the conversation.
//
// Test ids: kb-panel, kb-suggestions, kb-suggestion (data-article-id, data-linked,
//   data-focused), kb-suggestion-link, kb-suggestion-insert, kb-suggestion-dismiss,
//   kb-suggestions-empty, kb-search, kb-search-input, kb-search-submit, kb-search-results,
//   kb-hit (data-article-id), kb-searches, kb-recorded-search, kb-links, kb-link (data-kind),
//   kb-unlink, kb-create, kb-panel-error, kb-panel-notice.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { knowledgeApi, type ConversationKnowledge, type SearchHit, type Suggestion } from '../api/knowledge';
import { onShortcut } from '../desktop/shortcuts';
import { formatDateTime, t, tMaybe } from '../i18n';
import { insertIntoReply } from '../knowledge/events';
import { resolutionText } from '../knowledge/logic';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { Message } from '../api/conversation';
import '../styles/knowledge.css';

/** REFRESH_MS lets a burst of customer messages ask for suggestions once. */
const REFRESH_MS = 400;

/** Item is what the panel can link or insert: a suggestion or a search hit. */
interface Item {
  article_id: string;
  title: string;
}

/** KnowledgePanel shows conversation conversationId's knowledge. */
export function KnowledgePanel({ conversationId }: { conversationId: string }) {
  const { realtime } = useSession();
  const [data, setData] = useState<ConversationKnowledge | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [focused, setFocused] = useState(0);
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [busy, setBusy] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const k = await knowledgeApi.forConversation(conversationId);
      if (gen !== generation.current) return;
      setData(k);
      setError('');
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    }
  }, [conversationId]);

  useEffect(() => {
    setData(null);
    setHits(null);
    setQ('');
    setFocused(0);
    setNotice('');
    void load();
  }, [load]);

  // The customer's words change what fits: ask again after each of their messages.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = realtime.subscribe((ev) => {
      if (ev.type !== 'message.created') return;
      const m = (ev.data as { message?: Message } | undefined)?.message;
      if (m?.conversation_id !== conversationId || m.direction !== 'in') return;
      clearTimeout(timer);
      timer = setTimeout(() => void load(), REFRESH_MS);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [realtime, conversationId, load]);

  const suggestions = data?.suggestions ?? [];
  const focusedItem: Item | undefined = suggestions[Math.min(focused, suggestions.length - 1)];

  const link = useCallback(async (item: Item, insert: boolean) => {
    setBusy(item.article_id);
    setError('');
    setNotice('');
    try {
      const linked = data?.links.some((l) => l.article_id === item.article_id);
      if (!linked) await knowledgeApi.link(conversationId, item.article_id);
      if (insert) {
        const a = await knowledgeApi.article(item.article_id);
        insertIntoReply(conversationId, resolutionText(a.resolution));
        setNotice(t('kb.panel.inserted', { title: item.title }));
      } else {
        setNotice(t('kb.panel.linked', { title: item.title }));
      }
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy('');
    }
  }, [conversationId, data, load]);

  // l links the focused suggestion, i also inserts its resolution. The one
  // with the keyboard focus wins over the one last marked, as the key may
  // come before the panel re-renders.
  useEffect(
    () =>
      onShortcut((action, ev) => {
        if (action !== 'kb-link' && action !== 'kb-insert') return;
        const el = document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>('[data-testid="kb-suggestion"]') : null;
        const item = (el && list.current?.contains(el) && suggestions.find((s) => s.article_id === el.dataset['articleId'])) || focusedItem;
        if (!item) return;
        ev.preventDefault();
        void link(item, action === 'kb-insert');
      }),
    [focusedItem, suggestions, link],
  );

  const dismiss = async (s: Suggestion) => {
    setError('');
    try {
      await knowledgeApi.dismiss(conversationId, s.article_id);
      setData((d) => (d ? { ...d, suggestions: d.suggestions.filter((x) => x.article_id !== s.article_id) } : d));
      setNotice(t('kb.panel.dismissed', { title: s.title }));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const unlink = async (articleID: string) => {
    setError('');
    try {
      await knowledgeApi.unlink(conversationId, articleID);
      await load();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const search = async (e: Event) => {
    e.preventDefault();
    const text = q.trim();
    if (!text) return;
    setBusy('search');
    setError('');
    try {
      setHits((await knowledgeApi.searchForConversation(conversationId, text)).items ?? []);
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy('');
    }
  };

  // Arrow keys move the focus between suggestions; the keys then act on it.
  const onListKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const next = Math.max(0, Math.min(suggestions.length - 1, focused + (e.key === 'ArrowDown' ? 1 : -1)));
    setFocused(next);
    list.current?.querySelectorAll<HTMLElement>('[data-testid="kb-suggestion"]')[next]?.focus();
  };

  return (
    <section class="kb-panel" data-testid="kb-panel" aria-labelledby="kb-panel-title">
      <div class="kb-panel-head">
        <h2 id="kb-panel-title">{t('kb.panel.title')}</h2>
        <button type="button" class="button button-small" data-testid="kb-create"
          onClick={() => navigate(`/knowledge/new?conversation=${encodeURIComponent(conversationId)}`)}>
          {t('kb.panel.create')}
        </button>
      </div>
      {error && <p class="cv-error" role="alert" data-testid="kb-panel-error">{error}</p>}
      <p class="visually-hidden" role="status" data-testid="kb-panel-notice">{notice}</p>
      {notice && <p class="kb-notice" aria-hidden="true">{notice}</p>}

      <h3 class="kb-subhead">{t('kb.panel.suggested')}</h3>
      {data && suggestions.length === 0 && <p class="cv-muted" data-testid="kb-suggestions-empty">{t('kb.panel.noSuggestions')}</p>}
      {!data && !error && <p class="cv-muted">{t('app.loading')}</p>}
      {suggestions.length > 0 && (
        <ol class="kb-list" ref={list} data-testid="kb-suggestions" aria-label={t('kb.panel.suggested')} onKeyDown={onListKey}>
          {suggestions.map((s, i) => (
            <li key={s.article_id} tabIndex={0} class={`kb-item${i === focused ? ' is-focused' : ''}`}
              aria-current={i === focused ? 'true' : undefined}
              data-testid="kb-suggestion" data-article-id={s.article_id} data-linked={s.linked ? 'true' : 'false'}
              data-focused={i === focused ? 'true' : 'false'} onFocus={() => setFocused(i)} onClick={() => setFocused(i)}>
              <div class="kb-item-title">
                <Link href={`/knowledge/a/${encodeURIComponent(s.article_id)}`}>{s.title}</Link>
                {s.state !== 'published' && <span class="badge badge-muted">{tMaybe(`kb.state.${s.state}`, s.state)}</span>}
                {s.linked && <span class="badge badge-succeeded">{t('kb.panel.isLinked')}</span>}
              </div>
              {/* The server escapes the text and marks the matches only. */}
              <p class="kb-snippet" dangerouslySetInnerHTML={{ __html: s.snippet_html }} />
              {s.why?.length > 0 && (
                <p class="kb-why muted small">{t('kb.panel.why')} {s.why.map((w) => tMaybe(`kb.why.${w}`, w)).join(', ')}</p>
              )}
              <div class="kb-item-actions">
                <button type="button" class="button button-small" disabled={busy === s.article_id || s.linked}
                  aria-keyshortcuts={i === focused ? 'l' : undefined} data-testid="kb-suggestion-link" onClick={() => void link(s, false)}>
                  {t('kb.panel.link')}<span class="visually-hidden">: {s.title}</span>
                </button>
                <button type="button" class="button button-small" disabled={busy === s.article_id}
                  aria-keyshortcuts={i === focused ? 'i' : undefined} data-testid="kb-suggestion-insert" onClick={() => void link(s, true)}>
                  {t('kb.panel.insert')}<span class="visually-hidden">: {s.title}</span>
                </button>
                <button type="button" class="button button-small button-quiet" data-testid="kb-suggestion-dismiss" onClick={() => void dismiss(s)}>
                  {t('kb.panel.dismiss')}<span class="visually-hidden">: {s.title}</span>
                </button>
              </div>
              {i === focused && (
                <p class="kb-keys muted small" aria-hidden="true">
                  <kbd class="kb-key">l</kbd> {t('kb.panel.keyLink')} · <kbd class="kb-key">i</kbd> {t('kb.panel.keyInsert')}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}

      <form class="kb-search" role="search" onSubmit={search} data-testid="kb-search">
        <label for={`kb-q-${conversationId}`} class="visually-hidden">{t('kb.panel.search')}</label>
        <input id={`kb-q-${conversationId}`} type="search" value={q} placeholder={t('kb.panel.searchPlaceholder')}
          onInput={(e) => setQ(e.currentTarget.value)} data-testid="kb-search-input" />
        <button type="submit" class="button button-small" disabled={busy === 'search' || !q.trim()} data-testid="kb-search-submit">
          {t('kb.panel.searchButton')}
        </button>
      </form>
      {hits && (
        <div data-testid="kb-search-results">
          {hits.length === 0 ? <p class="cv-muted">{t('kb.panel.noHits')}</p> : (
            <ul class="kb-list">
              {hits.map((h) => (
                <li key={h.article_id} class="kb-item" data-testid="kb-hit" data-article-id={h.article_id}>
                  <div class="kb-item-title">
                    <Link href={`/knowledge/a/${encodeURIComponent(h.article_id)}`}>{h.title}</Link>
                    <span class="badge badge-muted">{tMaybe(`kb.state.${h.state}`, h.state)}</span>
                  </div>
                  <p class="kb-snippet" dangerouslySetInnerHTML={{ __html: h.snippet_html }} />
                  <div class="kb-item-actions">
                    <button type="button" class="button button-small" disabled={busy === h.article_id} data-testid="kb-hit-link"
                      onClick={() => void link(h, false)}>{t('kb.panel.link')}<span class="visually-hidden">: {h.title}</span></button>
                    <button type="button" class="button button-small" disabled={busy === h.article_id} data-testid="kb-hit-insert"
                      onClick={() => void link(h, true)}>{t('kb.panel.insert')}<span class="visually-hidden">: {h.title}</span></button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      {(data?.links.length ?? 0) > 0 && (
        <>
          <h3 class="kb-subhead">{t('kb.panel.links')}</h3>
          <ul class="kb-plain" data-testid="kb-links">
            {data!.links.map((l) => (
              <li key={l.article_id} data-testid="kb-link" data-kind={l.kind} data-article-id={l.article_id}>
                <Link href={`/knowledge/a/${encodeURIComponent(l.article_id)}`}>{l.title}</Link>{' '}
                <span class="muted small">{l.kind === 'created' ? t('kb.panel.created') : t('kb.panel.linkedKind')}</span>{' '}
                <button type="button" class="button button-small button-quiet" data-testid="kb-unlink" onClick={() => void unlink(l.article_id)}>
                  {t('kb.panel.unlink')}<span class="visually-hidden">: {l.title}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}

      {(data?.searches.length ?? 0) > 0 && (
        <details class="kb-searches" data-testid="kb-searches">
          <summary>{t('kb.panel.searches', { n: data!.searches.length })}</summary>
          <ul class="kb-plain">
            {data!.searches.map((s, i) => (
              <li key={`${s.at}-${i}`} data-testid="kb-recorded-search">
                “{s.query}” — {t('kb.panel.results', { n: s.results })} <span class="muted small">{formatDateTime(s.at)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
