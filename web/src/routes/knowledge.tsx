// The knowledge pages: the list and the flags, a new article (maybe from a
// conversation) and an article's editor. Every signed-in user opens them
// (reading needs no more; what each may change is up to the page and the
// server). They load as their own chunks when first opened.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { Notice } from '../components/Notice';
import { t } from '../i18n';
import { match } from '../router';

type ListModule = typeof import('../knowledge/KnowledgeList');
type ArticleModule = typeof import('../knowledge/ArticlePage');

let lists: Promise<ListModule> | undefined;
let articles: Promise<ArticleModule> | undefined;

/** useModule loads a page module once per page load and re-renders when it is in. */
function useModule<M>(get: () => Promise<M>): { mod?: M; error: string } {
  const [mod, setMod] = useState<M>();
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    get().then((m) => live && setMod(() => m), (err) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [get]);
  return { mod, error };
}

const getLists = () => (lists ??= import('../knowledge/KnowledgeList'));
const getArticles = () => (articles ??= import('../knowledge/ArticlePage'));

function Loading({ error }: { error: string }) {
  return (
    <div class="page" aria-busy={!error}>
      {error ? <Notice kind="error">{error}</Notice> : <p class="muted" role="status">{t('app.loading')}</p>}
    </div>
  );
}

function ListPages({ flags }: { flags: boolean }) {
  const { mod, error } = useModule(getLists);
  if (!mod) return <Loading error={error} />;
  return flags ? <mod.FlagsPage /> : <mod.KnowledgeListPage />;
}

function ArticlePages({ id, conversationId, created }: { id: string; conversationId: string; created: boolean }) {
  const { mod, error } = useModule(getArticles);
  if (!mod) return <Loading error={error} />;
  return id ? <mod.ArticlePage key={id} id={id} created={created} /> : <mod.NewArticlePage key={conversationId} conversationId={conversationId} />;
}

/** knowledgeRoute returns the page for path, or null when path is not a knowledge page. */
export function knowledgeRoute(path: string, search: URLSearchParams): JSX.Element | null {
  if (path === '/knowledge' || path === '/knowledge/flags') return <ListPages flags={path === '/knowledge/flags'} />;
  if (path === '/knowledge/new') return <ArticlePages id="" conversationId={search.get('conversation') ?? ''} created={false} />;
  const a = match('/knowledge/a/:id', path);
  if (a) return <ArticlePages id={a.id!} conversationId="" created={search.get('created') === '1'} />;
  return null;
}
