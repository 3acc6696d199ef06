// /knowledge/new and /knowledge/a/:id: an article's editor. A new article may
// start from a conversation (?conversation=ID): its draft fills the issue from
// the customer's words and the resolution from the agent's replies and notes,
// and saving it links it to that conversation as "created". An existing one
// shows its state with the moves this user may make (a publisher validates and
// publishes; everyone moves work in progress), the Markdown rendered by the
// server, who moved it when, its versions with a word diff and restore, and
// its flags.
//
// Test ids: kb-article-page (data-state, data-version), kb-article-title, kb-version,
//   kb-move-<state>, kb-moves, kb-readonly, kb-preview, kb-preview-<field>, kb-saved,
//   kb-conflict, kb-reload, kb-source-conversation, kb-from-conversation, kb-article-error.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { knowledgeApi, type Article, type ArticleContent, type ArticleState } from '../api/knowledge';
import { ShareToggle } from '../community/ShareToggle';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { useIdempotencyKey, usePageTitle } from '../hooks';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Problem } from '../components/admin/form';
import '../styles/knowledge.css';
import { ArticleForm } from './ArticleForm';
import { StateBadge } from './KnowledgeList';
import { contentOf, emptyContent, fromDraft, isPublisher, mayEdit, movesFor, sameContent } from './logic';
import { FlagsSection, HistorySection, VersionsSection } from './ArticleSections';
import { useUserNames } from './users';

/** NewArticlePage is /knowledge/new, pre-filled from conversation when given. */
export function NewArticlePage({ conversationId }: { conversationId: string }) {
  usePageTitle('kb.newTitle');
  const [content, setContent] = useState<ArticleContent | null>(conversationId ? null : emptyContent());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const idem = useIdempotencyKey();

  useEffect(() => {
    if (!conversationId) return;
    knowledgeApi.draft(conversationId).then((d) => setContent(fromDraft(d)), (err) => {
      setError(err);
      setContent(emptyContent());
    });
  }, [conversationId]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!content || busy) return;
    setBusy(true);
    setError(null);
    const body = { ...content, ...(conversationId ? { source_conversation_id: conversationId } : {}) };
    try {
      const a = await knowledgeApi.create(body, idem.keyFor(body));
      idem.done();
      if (conversationId) {
        // The article counts as created from the conversation (KCS: capture in the workflow).
        await knowledgeApi.link(conversationId, a.id).catch(() => undefined);
      }
      navigate(`/knowledge/a/${encodeURIComponent(a.id)}${conversationId ? '?created=1' : ''}`, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page kb-page" data-testid="kb-article-page" data-state="new">
      <p><Link href="/knowledge">← {t('kb.backToList')}</Link></p>
      <header class="page-header">
        <PageHeading>{t('kb.newTitle')}</PageHeading>
        <p class="muted">{conversationId ? t('kb.fromConversationIntro') : t('kb.newIntro')}</p>
        {conversationId && (
          <p><Link href={`/desktop/c/${encodeURIComponent(conversationId)}`} data-testid="kb-from-conversation">{t('kb.backToConversation')}</Link></p>
        )}
      </header>
      {!content ? <p class="muted" role="status">{t('app.loading')}</p> : (
        <form onSubmit={save} class="panel">
          <ArticleForm value={content} onChange={setContent} error={error} readOnly={false} />
          {error !== null && <Problem error={error} testId="kb-form-error" />}
          <button type="submit" class="button button-primary" disabled={busy || !content.title.trim()} data-testid="kb-save">
            {busy ? t('common.working') : t('kb.create')}
          </button>
        </form>
      )}
    </div>
  );
}

const MOVE_LABEL: Record<ArticleState, MessageKey> = {
  wip: 'kb.move.wip',
  not_validated: 'kb.move.not_validated',
  validated: 'kb.move.validated',
  published: 'kb.move.published',
  archived: 'kb.move.archived',
};

/** ArticlePage is /knowledge/a/:id. */
export function ArticlePage({ id, created }: { id: string; created: boolean }) {
  usePageTitle('kb.articleTitle');
  const { session } = useSession();
  const publisher = isPublisher(session.user);
  const names = useUserNames();
  const [article, setArticle] = useState<Article | null>(null);
  const [content, setContent] = useState<ArticleContent | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [loadError, setLoadError] = useState('');
  const [notice, setNotice] = useState(created ? t('kb.createdNotice') : '');
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState(false);
  // Bumped on every change so that history, versions and flags load again.
  const [rev, setRev] = useState(0);

  const show = (a: Article) => {
    setArticle(a);
    setContent(contentOf(a));
    setRev((r) => r + 1);
  };
  const reload = () => {
    setConflict(false);
    setError(null);
    knowledgeApi.article(id).then(show, (err) => setLoadError(errorMessage(err)));
  };
  useEffect(reload, [id]);

  if (loadError) return <div class="page"><Notice kind="error" testId="kb-article-error">{loadError}</Notice></div>;
  if (!article || !content) return <div class="page"><p class="muted" role="status">{t('app.loading')}</p></div>;

  const editable = mayEdit(article.state, publisher);
  const dirty = !sameContent(content, contentOf(article));

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy || !dirty) return;
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      const a = await knowledgeApi.update(article.id, { ...content, version: article.version, ...(note.trim() ? { note: note.trim() } : {}) });
      setNote('');
      show(a);
      setNotice(t('kb.savedNotice', { version: a.version }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && (err.kind === 'stale-version' || err.fieldError('version'))) setConflict(true);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const move = async (to: ArticleState) => {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      const a = await knowledgeApi.move(article.id, to);
      show(a);
      setNotice(t('kb.movedNotice', { state: t(`kb.state.${to}` as MessageKey) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const moves = movesFor(article.state, publisher);
  return (
    <div class="page kb-page" data-testid="kb-article-page" data-state={article.state} data-version={article.version}>
      <p><Link href="/knowledge">← {t('kb.backToList')}</Link></p>
      <header class="page-header kb-article-head">
        <PageHeading><span data-testid="kb-article-title">{article.title || t('kb.untitled')}</span></PageHeading>
        <p class="kb-meta">
          <StateBadge state={article.state} />{' '}
          <span data-testid="kb-version">{t('kb.versionN', { n: article.version })}</span>
          {' · '}{t('kb.ownedBy', { name: names(article.owner_id) })}
          {' · '}{t('kb.stateSince', { name: names(article.state_changed_by), when: formatDateTime(article.state_changed_at) })}
          {article.open_flags > 0 && <> {' · '}<span class="badge badge-failed">{t('kb.openFlags', { n: article.open_flags })}</span></>}
        </p>
        {article.source_conversation_id && (
          <p class="small">
            <Link href={`/desktop/c/${encodeURIComponent(article.source_conversation_id)}`} data-testid="kb-source-conversation">{t('kb.sourceConversation')}</Link>
          </p>
        )}
      </header>
      <Notice kind="success" testId="kb-saved">{notice}</Notice>
      <div class="kb-moves" role="group" aria-label={t('kb.moves')} data-testid="kb-moves">
        {moves.map((to) => (
          <button key={to} type="button" class={to === 'published' || to === 'not_validated' || to === 'validated' ? 'button button-primary' : 'button'}
            disabled={busy || dirty} data-testid={`kb-move-${to}`} onClick={() => void move(to)}>
            {t(MOVE_LABEL[to])}
          </button>
        ))}
        {dirty && moves.length > 0 && <span class="muted small">{t('kb.saveFirst')}</span>}
      </div>
      {publisher && <ShareToggle article={article} />}
      {conflict && (
        <Notice kind="error" testId="kb-conflict">
          {t('kb.conflict')}{' '}
          <button type="button" class="button button-small" data-testid="kb-reload" onClick={reload}>{t('kb.reload')}</button>
        </Notice>
      )}
      <div class="kb-columns">
        <form onSubmit={save} class="panel kb-edit" aria-labelledby="kb-edit-title">
          <h2 id="kb-edit-title">{editable ? t('kb.edit') : t('kb.content')}</h2>
          {!editable && <p class="muted" data-testid="kb-readonly">{article.state === 'archived' ? t('kb.readonlyArchived') : t('kb.readonlyFlagIt')}</p>}
          <ArticleForm key={article.version} value={content} onChange={setContent} note={note} onNote={editable ? setNote : undefined} error={error} readOnly={!editable} />
          {error !== null && !conflict && <Problem error={error} testId="kb-form-error" />}
          {editable && (
            <button type="submit" class="button button-primary" disabled={busy || !dirty} data-testid="kb-save">
              {busy ? t('common.working') : t('kb.save')}
            </button>
          )}
        </form>
        <Preview article={article} dirty={dirty} />
      </div>
      <FlagsSection article={article} rev={rev} onChange={() => reload()} />
      <VersionsSection article={article} rev={rev} mayRestore={editable} onRestored={(a) => { show(a); setNotice(t('kb.restoredNotice', { version: a.version })); }} />
      <HistorySection articleId={article.id} rev={rev} />
    </div>
  );
}

/** Preview shows the saved article as readers see it: the server's sanitised HTML. */
function Preview({ article, dirty }: { article: Article; dirty: boolean }) {
  const parts: ['issue' | 'environment' | 'cause' | 'resolution', string | undefined][] = [
    ['issue', article.issue_html], ['environment', article.environment_html], ['cause', article.cause_html], ['resolution', article.resolution_html],
  ];
  return (
    <section class="panel kb-preview" aria-labelledby="kb-preview-title" data-testid="kb-preview">
      <h2 id="kb-preview-title">{t('kb.preview')}</h2>
      {dirty && <p class="muted small">{t('kb.previewSaved')}</p>}
      {parts.filter(([, html]) => html).map(([k, html]) => (
        <div key={k} class="kb-preview-part">
          <h3>{t(`kb.field.${k}`)}</h3>
          {/* Rendered from Markdown and sanitised by the server. */}
          <div class="kb-html" data-testid={`kb-preview-${k}`} dangerouslySetInnerHTML={{ __html: html! }} />
        </div>
      ))}
    </section>
  );
}
