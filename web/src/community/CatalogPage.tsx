// /community: the knowledge community's catalogue for a member workspace —
// practices other workspaces share, searchable, each with its sharer's name;
// "Adopt" makes a work-in-progress copy in this workspace (with attribution)
// and opens it in the editor to adapt and publish.
//
// Test ids: community-catalog, community-search, community-practice
// (data-title), community-open, community-adopt, community-not-member.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { formatDateTime, t } from '../i18n';
import { navigate } from '../router';
import { communityApi, type Practice } from './api';

/** CatalogPage is /community. */
export function CatalogPage() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<Practice[] | null>(null);
  const [notMember, setNotMember] = useState(false);
  const [error, setError] = useState('');
  const [open, setOpen] = useState('');
  const [busy, setBusy] = useState(false);

  const search = async (text: string) => {
    setError('');
    try {
      setItems((await communityApi.catalog(text)).items);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'not-a-member') setNotMember(true);
      else setError(errorMessage(err));
    }
  };
  useEffect(() => void search(''), []);

  const adopt = async (p: Practice) => {
    setBusy(true);
    setError('');
    try {
      const res = await communityApi.adopt(p.id);
      navigate(`/knowledge/a/${encodeURIComponent(res.article.id)}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page" data-testid="community-catalog">
      <header class="page-header">
        <PageHeading>{t('community.catalogTitle')}</PageHeading>
        <p class="muted">{t('community.catalogIntro')}</p>
      </header>
      <Notice kind="error">{error}</Notice>
      {notMember ? (
        <p class="notice notice-info" data-testid="community-not-member">{t('community.catalogNotMember')}</p>
      ) : (
        <>
          <form role="search" onSubmit={(e) => { e.preventDefault(); void search(q); }}>
            <label class="field">
              <span>{t('community.search')}</span>
              <input type="search" value={q} maxLength={200} data-testid="community-search" onInput={(e) => setQ(e.currentTarget.value)} />
            </label>
            <button type="submit" class="button">{t('community.searchSubmit')}</button>
          </form>
          {items && items.length === 0 && <p class="muted">{t('community.empty')}</p>}
          <ul class="plain-list">
            {items?.map((p) => (
              <li key={p.id} class="panel" data-testid="community-practice" data-title={p.title}>
                <h2>{p.title}</h2>
                <p class="muted small">
                  {t('community.sharedBy', { name: p.sharer_name, when: formatDateTime(p.updated_at) })}
                  {' · '}{t('community.adoptions', { n: p.adoptions })}
                </p>
                <button type="button" class="button button-small" aria-expanded={open === p.id} data-testid="community-open"
                  onClick={() => setOpen(open === p.id ? '' : p.id)}>
                  {open === p.id ? t('community.hide') : t('community.view')}
                </button>{' '}
                {!p.mine && (
                  <button type="button" class="button button-primary button-small" disabled={busy} data-testid="community-adopt"
                    onClick={() => void adopt(p)}>
                    {t('community.adopt')}
                  </button>
                )}
                {open === p.id && (
                  <div class="kb-preview">
                    {p.issue_html && <><h3>{t('community.issue')}</h3><div dangerouslySetInnerHTML={{ __html: p.issue_html }} /></>}
                    {p.environment_html && <><h3>{t('community.environment')}</h3><div dangerouslySetInnerHTML={{ __html: p.environment_html }} /></>}
                    {p.cause_html && <><h3>{t('community.cause')}</h3><div dangerouslySetInnerHTML={{ __html: p.cause_html }} /></>}
                    <h3>{t('community.resolution')}</h3>
                    <div dangerouslySetInnerHTML={{ __html: p.resolution_html }} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
