// /knowledge: the workspace's articles, searched by their words or listed by
// state, audience, locale and tag; and /knowledge/flags, the flags on my
// articles (all of them for publishers) with their resolve.
//
// Test ids: kb-list-page, kb-new, kb-tab-articles, kb-tab-flags, kb-q, kb-filter-state,
//   kb-filter-audience, kb-filter-locale, kb-filter-tag, kb-filter-flagged, kb-clear, kb-table,
//   kb-row (data-article-id, data-state), kb-row-title, kb-empty, kb-more, kb-list-error;
//   kb-flags-page, kb-flags-status, kb-flag-row (data-flag-id, data-open), kb-flag-resolve, kb-flags-empty.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import {
  ARTICLE_STATES, AUDIENCES, LOCALES, knowledgeApi, type Article, type ArticleFilter, type Flag, type SearchHit,
} from '../api/knowledge';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { usePagedList, usePageTitle } from '../hooks';
import { formatDateTime, t, tMaybe, type MessageKey } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import '../styles/knowledge.css';
import { useUserNames } from './users';

/** KnowledgeFrame is the heading and the two tabs every knowledge list page shares. */
function KnowledgeFrame({ title, testId, children }: { title: MessageKey; testId: string; children: ComponentChildren }) {
  usePageTitle(title);
  const here = useLocation().pathname;
  return (
    <div class="page kb-page" data-testid={testId}>
      <header class="page-header kb-page-header">
        <div>
          <PageHeading>{t(title)}</PageHeading>
          <p class="muted">{t('kb.intro')}</p>
        </div>
        <Link href="/knowledge/new" class="button button-primary" data-testid="kb-new">{t('kb.new')}</Link>
      </header>
      <nav class="kb-tabs" aria-label={t('kb.tabs')}>
        <Link href="/knowledge" aria-current={here === '/knowledge' ? 'page' : undefined} data-testid="kb-tab-articles">{t('kb.tab.articles')}</Link>
        <Link href="/knowledge/flags" aria-current={here === '/knowledge/flags' ? 'page' : undefined} data-testid="kb-tab-flags">{t('kb.tab.flags')}</Link>
      </nav>
      {children}
    </div>
  );
}

/** StateBadge shows an article's state. */
export function StateBadge({ state }: { state: string }) {
  return <span class={`badge kb-state kb-state-${state}`} data-testid="kb-state" data-state={state}>{tMaybe(`kb.state.${state}`, state)}</span>;
}

interface SelectProps {
  id: string;
  label: string;
  value: string;
  options: readonly string[];
  prefix: string;
  onChange: (v: string) => void;
}

function FilterSelect({ id, label, value, options, prefix, onChange }: SelectProps) {
  return (
    <div class="field kb-filter">
      <label for={id}>{label}</label>
      <select id={id} value={value} data-testid={id} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('kb.filter.any')}</option>
        {options.map((o) => <option key={o} value={o}>{tMaybe(`${prefix}${o}`, o)}</option>)}
      </select>
    </div>
  );
}

/** filterFrom reads the filters from the address, so that a filtered list can be linked to. */
function filterFrom(url: URL): ArticleFilter & { q: string } {
  const g = (k: string) => url.searchParams.get(k) ?? '';
  return { q: g('q'), state: g('state'), audience: g('audience'), locale: g('locale'), tag: g('tag'), flagged: g('flagged') === 'open' ? 'open' : '' };
}

/** KnowledgeListPage is /knowledge. */
export function KnowledgeListPage() {
  const url = useLocation();
  const f = filterFrom(url);
  const [q, setQ] = useState(f.q);
  const [tag, setTag] = useState(f.tag ?? '');
  const key = url.search;
  const set = (k: string, v: string, more: Record<string, string> = {}) => {
    const next = new URLSearchParams(url.search);
    for (const [key, val] of Object.entries({ [k]: v, ...more })) {
      if (val) next.set(key, val);
      else next.delete(key);
    }
    const s = next.toString();
    navigate(`/knowledge${s ? `?${s}` : ''}`, { replace: true });
  };

  const list = usePagedList<Article>((cursor) => knowledgeApi.articles(f, cursor), [key]);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [searchError, setSearchError] = useState('');
  useEffect(() => {
    if (!f.q) {
      setHits(null);
      return;
    }
    let live = true;
    knowledgeApi.search(f.q, f).then(
      (r) => live && (setHits(r.items ?? []), setSearchError('')),
      (err) => live && setSearchError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [key]);

  const names = useUserNames();
  const rows: { id: string; title: string; state: string; audience: string; locale: string; tags: string[]; flags?: number; owner?: string; updated?: string; snippet?: string }[] =
    hits !== null
      ? hits.map((h) => ({ id: h.article_id, title: h.title, state: h.state, audience: h.audience, locale: h.locale, tags: h.tags ?? [], snippet: h.snippet_html }))
      : list.items.map((a) => ({ id: a.id, title: a.title, state: a.state, audience: a.audience, locale: a.locale, tags: a.tags ?? [], flags: a.open_flags, owner: a.owner_id, updated: a.updated_at }));

  return (
    <KnowledgeFrame title="kb.title" testId="kb-list-page">
      <form class="kb-filters" role="search" onSubmit={(e) => { e.preventDefault(); set('q', q.trim(), { tag: tag.trim() }); }}>
        <div class="field kb-filter kb-filter-q">
          <label for="kb-q">{t('kb.search')}</label>
          <input id="kb-q" type="search" value={q} placeholder={t('kb.searchPlaceholder')} data-testid="kb-q"
            onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        <FilterSelect id="kb-filter-state" label={t('kb.field.state')} value={f.state ?? ''} options={ARTICLE_STATES} prefix="kb.state." onChange={(v) => set('state', v)} />
        <FilterSelect id="kb-filter-audience" label={t('kb.field.audience')} value={f.audience ?? ''} options={AUDIENCES} prefix="kb.audience." onChange={(v) => set('audience', v)} />
        <FilterSelect id="kb-filter-locale" label={t('kb.field.locale')} value={f.locale ?? ''} options={LOCALES} prefix="kb.locale." onChange={(v) => set('locale', v)} />
        <div class="field kb-filter">
          <label for="kb-filter-tag">{t('kb.field.tag')}</label>
          <input id="kb-filter-tag" value={tag} data-testid="kb-filter-tag" onInput={(e) => setTag(e.currentTarget.value)}
            onChange={(e) => set('tag', e.currentTarget.value.trim())} />
        </div>
        <label class="checkbox kb-filter-flagged">
          <input type="checkbox" checked={f.flagged === 'open'} data-testid="kb-filter-flagged" onChange={(e) => set('flagged', e.currentTarget.checked ? 'open' : '')} />
          <span>{t('kb.filter.flagged')}</span>
        </label>
        <button type="submit" class="button" data-testid="kb-search-go">{t('kb.searchButton')}</button>
        {url.search && (
          <button type="button" class="button button-quiet" data-testid="kb-clear" onClick={() => { setQ(''); setTag(''); navigate('/knowledge', { replace: true }); }}>
            {t('kb.filter.clear')}
          </button>
        )}
      </form>
      {hits !== null && f.flagged && <p class="muted small">{t('kb.searchIgnoresFlagged')}</p>}
      <Notice kind="error" testId="kb-list-error">{searchError || list.error}</Notice>
      {rows.length === 0 && !list.loading && <p class="muted" data-testid="kb-empty">{f.q ? t('kb.noHits', { q: f.q }) : t('kb.empty')}</p>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="kb-table">
            <caption class="visually-hidden">{hits !== null ? t('kb.hitsCaption', { q: f.q }) : t('kb.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('kb.field.title')}</th>
                <th scope="col">{t('kb.field.state')}</th>
                <th scope="col" class="hide-narrow">{t('kb.field.audience')}</th>
                <th scope="col" class="hide-narrow">{t('kb.field.locale')}</th>
                <th scope="col" class="hide-narrow">{t('kb.field.tags')}</th>
                {hits === null && <th scope="col">{t('kb.flags')}</th>}
                {hits === null && <th scope="col" class="hide-narrow">{t('kb.owner')}</th>}
                {hits === null && <th scope="col" class="hide-narrow">{t('kb.updated')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="kb-row" data-article-id={r.id} data-state={r.state}>
                  <td class="cell-main">
                    <Link href={`/knowledge/a/${encodeURIComponent(r.id)}`} data-testid="kb-row-title">{r.title || t('kb.untitled')}</Link>
                    {r.snippet && <p class="kb-snippet small" dangerouslySetInnerHTML={{ __html: r.snippet }} />}
                  </td>
                  <td><StateBadge state={r.state} /></td>
                  <td class="hide-narrow">{tMaybe(`kb.audience.${r.audience}`, r.audience)}</td>
                  <td class="hide-narrow">{r.locale}</td>
                  <td class="hide-narrow">{r.tags.join(', ') || t('common.none')}</td>
                  {hits === null && <td>{r.flags ? <span class="badge badge-failed">{t('kb.openFlags', { n: r.flags })}</span> : t('common.none')}</td>}
                  {hits === null && <td class="hide-narrow">{names(r.owner ?? '')}</td>}
                  {hits === null && <td class="hide-narrow">{formatDateTime(r.updated)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hits === null && list.hasMore && (
        <button type="button" class="button" disabled={list.loading} onClick={() => void list.loadMore()} data-testid="kb-more">
          {t('common.loadMore')}
        </button>
      )}
    </KnowledgeFrame>
  );
}

/** FlagsPage is /knowledge/flags: the flags on my articles, or on all of them for publishers. */
export function FlagsPage() {
  const [status, setStatus] = useState<'open' | 'resolved' | 'all'>('open');
  const [items, setItems] = useState<Flag[] | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const names = useUserNames();
  useEffect(() => {
    let live = true;
    setItems(null);
    knowledgeApi.allFlags(status).then((r) => live && setItems(r.items ?? []), (err) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [status]);
  const resolve = async (f: Flag) => {
    setError('');
    try {
      const done = await knowledgeApi.resolveFlag(f.id);
      setItems((list) => (list ?? []).map((x) => (x.id === f.id ? done : x)).filter((x) => status !== 'open' || !x.resolved_at));
      setNotice(t('kb.flag.resolvedNotice', { title: f.article_title }));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <KnowledgeFrame title="kb.flagsTitle" testId="kb-flags-page">
      <p class="muted">{t('kb.flagsIntro')}</p>
      <div class="field kb-filter">
        <label for="kb-flags-status">{t('kb.flag.status')}</label>
        <select id="kb-flags-status" value={status} data-testid="kb-flags-status" onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
          {(['open', 'resolved', 'all'] as const).map((s) => <option key={s} value={s}>{t(`kb.flag.${s}`)}</option>)}
        </select>
      </div>
      <Notice kind="success">{notice}</Notice>
      <Notice kind="error">{error}</Notice>
      {items?.length === 0 && <p class="muted" data-testid="kb-flags-empty">{t('kb.flag.none')}</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="kb-flags-table">
            <thead>
              <tr>
                <th scope="col">{t('kb.flag.article')}</th>
                <th scope="col">{t('kb.flag.reason')}</th>
                <th scope="col" class="hide-narrow">{t('kb.flag.by')}</th>
                <th scope="col">{t('kb.flag.when')}</th>
                <th scope="col"><span class="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((f) => (
                <tr key={f.id} data-testid="kb-flag-row" data-flag-id={f.id} data-open={f.resolved_at ? 'false' : 'true'}>
                  <td class="cell-main"><Link href={`/knowledge/a/${encodeURIComponent(f.article_id)}`}>{f.article_title}</Link></td>
                  <td class="kb-reason">{f.reason}</td>
                  <td class="hide-narrow">{names(f.by_id)}</td>
                  <td>{formatDateTime(f.created_at)}</td>
                  <td class="cell-actions">
                    {f.resolved_at ? (
                      <span class="muted small">{t('kb.flag.resolvedBy', { name: names(f.resolved_by), when: formatDateTime(f.resolved_at) })}</span>
                    ) : (
                      <button type="button" class="button button-small" data-testid="kb-flag-resolve"
                        aria-label={`${t('kb.flag.resolve')}: ${f.article_title}`} onClick={() => void resolve(f)}>
                        {t('kb.flag.resolve')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </KnowledgeFrame>
  );
}
