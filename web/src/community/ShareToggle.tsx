// ShareToggle is "Share with the community" on a published, customer-facing
// article's page, for publishers: on shares the article as it stands (a
// snapshot; tick again after an edit to re-share), off withdraws it.
//
// Test ids: community-share-toggle (data-shared), community-share-error.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import type { Article } from '../api/knowledge';
import { t } from '../i18n';
import { communityApi, type Share } from './api';

/** ShareToggle shows nothing for an article that cannot be shared. */
export function ShareToggle({ article }: { article: Article }) {
  const [share, setShare] = useState<Share | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [on, setOn] = useState(false);
  const shareable = article.state === 'published' && article.audience !== 'agents';
  useEffect(() => {
    if (!shareable) return;
    communityApi.shareOf(article.id).then((s) => { setShare(s); setOn(s.shared); }, (err) => setError(errorMessage(err)));
  }, [article.id, article.version, shareable]);
  if (!shareable) return null;

  // The box shows the new value at once and goes back if the server refuses.
  const change = async (want: boolean) => {
    setOn(want);
    setBusy(true);
    setError('');
    try {
      if (want) setShare(await communityApi.share(article.id));
      else {
        await communityApi.unshare(article.id);
        setShare(await communityApi.shareOf(article.id));
      }
    } catch (err) {
      setOn(!want);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const stale = share?.shared && share.article_version !== article.version;
  return (
    <div class="kb-share">
      <label class="checkbox">
        <input type="checkbox" checked={on} disabled={busy || !share} data-testid="community-share-toggle"
          data-shared={share?.shared ? 'true' : 'false'} onChange={(e) => void change(e.currentTarget.checked)} />
        {' '}{t('community.shareToggle')}
      </label>
      {share?.shared && <span class="muted small">{' '}{t('community.adoptions', { n: share.adoptions })}</span>}
      {stale && (
        <button type="button" class="button button-small" disabled={busy} onClick={() => void change(true)}>
          {t('community.reshare')}
        </button>
      )}
      {error && <p class="notice notice-error" role="alert" data-testid="community-share-error">{error}</p>}
    </div>
  );
}
