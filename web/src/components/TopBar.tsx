import { useEffect, useRef, useState } from 'preact/hooks';
import { openShortcutHelp } from '../desktop/ShortcutHelp';
import { useTheme } from '../desktop/theme';
import { t, tMaybe, type MessageKey } from '../i18n';
import { Link, useLocation } from '../router';
import { isAdmin, useSession } from '../session';
import type { User } from '../types';
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

/** ADMIN_PAGES lists the admin menu; supervisorToo marks what supervisors manage as well. */
const ADMIN_PAGES: { href: string; label: MessageKey; testId: string; supervisorToo: boolean }[] = [
  { href: '/admin/channels', label: 'nav.channels', testId: 'nav-admin-channels', supervisorToo: false },
  { href: '/admin/queues', label: 'nav.queues', testId: 'nav-admin-queues', supervisorToo: true },
  { href: '/admin/agents', label: 'nav.agents', testId: 'nav-admin-agents', supervisorToo: true },
  { href: '/admin/sla', label: 'nav.sla', testId: 'nav-admin-sla', supervisorToo: true },
  { href: '/admin/hours', label: 'nav.hours', testId: 'nav-admin-hours', supervisorToo: true },
  { href: '/admin/canned', label: 'nav.canned', testId: 'nav-admin-canned', supervisorToo: true },
  { href: '/admin/notifications', label: 'nav.notifications', testId: 'nav-admin-notifications', supervisorToo: true },
  { href: '/admin/outbox', label: 'nav.outbox', testId: 'nav-admin-outbox', supervisorToo: false },
  { href: '/admin/context-connectors', label: 'nav.contextConnectors', testId: 'nav-admin-context', supervisorToo: false },
  { href: '/admin/webhooks', label: 'nav.webhooks', testId: 'nav-webhooks', supervisorToo: false },
  { href: '/admin/api-keys', label: 'nav.apiKeys', testId: 'nav-api-keys', supervisorToo: false },
  { href: '/admin/workspace', label: 'nav.workspace', testId: 'nav-admin-workspace', supervisorToo: false },
  { href: '/admin/people', label: 'admin.nav.people', testId: 'nav-admin-people', supervisorToo: false },
  { href: '/admin/community', label: 'nav.communityAdmin', testId: 'nav-admin-community', supervisorToo: false },
  { href: '/setup', label: 'setup.title', testId: 'nav-setup', supervisorToo: false },
];

function isSupervisor(user: User): boolean {
  return user.role === 'supervisor' || isAdmin(user);
}

/** AdminMenu is a disclosure of the admin pages the user may open. */
function AdminMenu({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const here = useLocation().pathname;
  const pages = ADMIN_PAGES.filter((p) => isAdmin(user) || p.supervisorToo);

  useEffect(() => setOpen(false), [here]);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent) {
        if (e.key !== 'Escape') return;
        setOpen(false);
        box.current?.querySelector<HTMLButtonElement>('button')?.focus();
      } else if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  return (
    <div class="nav-menu" ref={box}>
      <button
        type="button"
        class="nav-link nav-menu-button"
        aria-expanded={open}
        aria-controls="admin-menu"
        aria-current={here.startsWith('/admin/') ? 'page' : undefined}
        data-testid="nav-admin"
        onClick={() => setOpen((o) => !o)}
      >
        {t('nav.adminMenu')} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul id="admin-menu" class="nav-menu-list">
          {pages.map((p) => (
            <li key={p.href}>
              <NavLink href={p.href} label={t(p.label)} testId={p.testId} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ThemeToggle() {
  const [theme, next] = useTheme();
  const name = t(`theme.${theme}`);
  return (
    <button
      type="button"
      class="button button-small button-quiet"
      data-testid="theme-toggle"
      data-theme={theme}
      aria-label={t('theme.toggle', { theme: name })}
      title={t('theme.toggle', { theme: name })}
      onClick={next}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}</span>
    </button>
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
        {user.role !== 'expert' && <NavLink href="/desktop" label={t('nav.desktop')} testId="nav-desktop" />}
        <NavLink href="/desktop/rooms" label={t('nav.rooms')} testId="nav-rooms" />
        {user.role !== 'expert' && <NavLink href="/customers" label={t('nav.customers')} testId="nav-customers" />}
        {user.role !== 'expert' && <NavLink href="/knowledge" label={t('nav.knowledge')} testId="nav-knowledge" />}
        {user.role !== 'expert' && <NavLink href="/community" label={t('nav.community')} testId="nav-community" />}
        {isSupervisor(user) && <NavLink href="/wall" label={t('nav.wall')} testId="nav-wall" />}
        {isSupervisor(user) && <AdminMenu user={user} />}
      </nav>
      <div class="topbar-user">
        <ConnectionIndicator />
        <PresenceSelect />
        <ThemeToggle />
        <button
          type="button"
          class="button button-small button-quiet"
          data-testid="shortcuts-open"
          aria-label={t('shortcuts.open')}
          title={t('shortcuts.open')}
          onClick={openShortcutHelp}
        >
          <span aria-hidden="true">?</span>
        </button>
        <Link href="/account" class="button button-small button-quiet" data-testid="nav-account">
          {t('nav.account')}
        </Link>
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
