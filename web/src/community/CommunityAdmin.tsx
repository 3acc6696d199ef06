// /admin/community: an admin opts the workspace in to the knowledge community
// under a display name (the attribution other members read), renames it, or
// opts out (its shared practices leave the catalogue; copies others adopted
// stay theirs). Below, what the workspace shares and how often it was adopted.
//
// Test ids: community-admin, community-name, community-join, community-leave,
// community-status, community-shares (rows: community-share, data-adoptions).
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { Notice } from '../components/Notice';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router';
import { AdminPage } from '../supervisor/AdminNav';
import { communityApi, type Membership, type Share } from './api';

/** CommunityAdminPage is /admin/community. */
export function CommunityAdminPage() {
  const [m, setM] = useState<Membership | null>(null);
  const [name, setName] = useState('');
  const [shares, setShares] = useState<Share[]>([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const [mm, ss] = await Promise.all([communityApi.membership(), communityApi.shares()]);
      setM(mm);
      setName(mm.display_name);
      setShares(ss.items);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  useEffect(() => void load(), []);

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError('');
    setNotice('');
    try {
      await fn();
      await load();
      setNotice(done);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AdminPage title="community.adminTitle" intro="community.adminIntro" testId="community-admin">
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{notice}</Notice>
      {m && (
        <section class="panel">
          <p data-testid="community-status" data-member={m.member ? 'true' : 'false'}>
            {m.member ? t('community.memberSince', { name: m.display_name, when: formatDateTime(m.joined_at) }) : t('community.notMember')}
          </p>
          <form onSubmit={(e) => { e.preventDefault(); void act(() => communityApi.join(name), t('community.saved')); }}>
            <label class="field">
              <span>{t('community.displayName')}</span>
              <input type="text" value={name} maxLength={80} required data-testid="community-name"
                onInput={(e) => setName(e.currentTarget.value)} />
              <span class="muted small">{t('community.displayNameHint')}</span>
            </label>
            <button type="submit" class="button button-primary" disabled={busy} data-testid="community-join">
              {m.member ? t('community.rename') : t('community.join')}
            </button>{' '}
            {m.member && (
              <button type="button" class="button" disabled={busy} data-testid="community-leave"
                onClick={() => window.confirm(t('community.leaveConfirm')) && void act(() => communityApi.leave(), t('community.left'))}>
                {t('community.leave')}
              </button>
            )}
          </form>
        </section>
      )}
      {m?.member && (
        <section class="panel" data-testid="community-shares">
          <h2>{t('community.sharesTitle')}</h2>
          {shares.length === 0 ? <p class="muted">{t('community.noShares')}</p> : (
            <ul class="plain-list">
              {shares.map((s) => (
                <li key={s.practice_id} data-testid="community-share" data-adoptions={s.adoptions}>
                  <Link href={`/knowledge/a/${encodeURIComponent(s.article_id)}`}>{s.title}</Link>{' · '}
                  <span class="muted small">{t('community.adoptions', { n: s.adoptions })}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </AdminPage>
  );
}
