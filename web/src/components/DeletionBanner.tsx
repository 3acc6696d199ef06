// DeletionBanner tells everyone signed in that the workspace is about to be
// deleted, on every page, until an admin cancels it.
import { useEffect, useState } from 'preact/hooks';
import { DELETION_CHANGED, workspaceApi, type WorkspaceDeletion } from '../api/workspace';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router';
import { isAdmin, useSession } from '../session';

/** RECHECK_MS is how often the banner asks again, for deletions asked in another tab. */
const RECHECK_MS = 5 * 60 * 1000;

export function DeletionBanner() {
  const { session } = useSession();
  const [deletion, setDeletion] = useState<WorkspaceDeletion | null>(null);
  useEffect(() => {
    const load = () => workspaceApi.deletion().then(setDeletion, () => undefined);
    load();
    window.addEventListener(DELETION_CHANGED, load);
    const timer = setInterval(load, RECHECK_MS);
    return () => {
      window.removeEventListener(DELETION_CHANGED, load);
      clearInterval(timer);
    };
  }, []);
  if (!deletion?.pending) return null;
  return (
    <div role="alert" class="notice notice-error deletion-banner" data-testid="deletion-banner">
      {t('workspace.banner', { date: formatDateTime(deletion.due_at) })}{' '}
      {isAdmin(session.user) ? <Link href="/admin/workspace">{t('workspace.bannerAdmin')}</Link> : t('workspace.bannerOthers')}
    </div>
  );
}
