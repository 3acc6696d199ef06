import { t, tMaybe } from '../i18n';
import { Link, useLocation } from '../router';
import { isAdmin, useSession } from '../session';
import { ConnectionIndicator } from './ConnectionIndicator';
import { PresenceSelect } from './PresenceSelect';

function NavLink({ href, label, testId }: { href: string; label: string; testId: string }) {
  const here = useLocation().pathname;
  const current = here === href || here.startsWith(`${href}/`);
  return (
    <Link href={href} class="nav-link" aria-current={current ? 'page' : undefined} data-testid={testId}>
      {label}
    </Link>
  );
}

/** TopBar is the frame of every signed-in page: who, where, presence, live state, navigation. */
export function TopBar() {
  const { session, signOut } = useSession();
  const { user, tenant } = session;
  return (
    <header class="topbar">
      <div class="topbar-brand">
        <Link href="/desktop" class="brand">
          {t('app.name')}
        </Link>
        <span class="tenant-name" title={t('topbar.tenant')}>
          <span data-testid="tenant-name">{tenant.name}</span>
          {tenant.sandbox && <span class="badge badge-muted">{t('topbar.sandbox')}</span>}
        </span>
      </div>
      <nav class="topbar-nav" aria-label={t('nav.label')}>
        <NavLink href="/desktop" label={t('nav.desktop')} testId="nav-desktop" />
        {isAdmin(user) && (
          <>
            <span class="nav-group" aria-hidden="true">
              {t('nav.admin')}:
            </span>
            <NavLink href="/admin/webhooks" label={t('nav.webhooks')} testId="nav-webhooks" />
            <NavLink href="/admin/api-keys" label={t('nav.apiKeys')} testId="nav-api-keys" />
          </>
        )}
      </nav>
      <div class="topbar-user">
        <ConnectionIndicator />
        <PresenceSelect />
        <span class="user" title={user.email}>
          <span class="visually-hidden">{t('topbar.user')} </span>
          <span class="user-name" data-testid="user-name">
            {user.name}
          </span>
          <span class="user-role" data-testid="user-role">
            {tMaybe(`role.${user.role}`, user.role)}
          </span>
        </span>
        <button type="button" class="button button-quiet" onClick={() => void signOut()} data-testid="logout">
          {t('nav.logout')}
        </button>
      </div>
    </header>
  );
}
