import type { ComponentChildren } from 'preact';
import { PageHeading } from '../components/PageHeading';
import { usePageTitle } from '../hooks';
import { t, type MessageKey } from '../i18n';
import { Link, useLocation } from '../router';
import { useSession } from '../session';
import '../styles/supervisor.css';

interface Item {
  href: string;
  label: MessageKey;
  adminOnly: boolean;
}

const ITEMS: Item[] = [
  { href: '/admin/channels', label: 'admin.nav.channels', adminOnly: true },
  { href: '/admin/phone-numbers', label: 'admin.nav.phone', adminOnly: true },
  { href: '/admin/whatsapp-templates', label: 'admin.nav.whatsapp', adminOnly: true },
  { href: '/admin/listening', label: 'admin.nav.listening', adminOnly: true },
  { href: '/admin/queues', label: 'admin.nav.queues', adminOnly: false },
  { href: '/admin/routing-rules', label: 'admin.nav.routingRules', adminOnly: false },
  { href: '/admin/agents', label: 'admin.nav.agents', adminOnly: false },
  { href: '/admin/sla', label: 'admin.nav.sla', adminOnly: false },
  { href: '/admin/hours', label: 'admin.nav.hours', adminOnly: false },
  { href: '/admin/canned', label: 'admin.nav.canned', adminOnly: false },
  { href: '/admin/notifications', label: 'admin.nav.notifications', adminOnly: false },
  { href: '/admin/reports', label: 'admin.nav.reports', adminOnly: false },
  { href: '/admin/knowledge-measures', label: 'admin.nav.knowledgeMeasures', adminOnly: false },
  { href: '/admin/context-model', label: 'admin.nav.contextModel', adminOnly: false },
  { href: '/admin/swarm-work', label: 'admin.nav.swarmWork', adminOnly: false },
  { href: '/admin/outbox', label: 'admin.nav.outbox', adminOnly: true },
  { href: '/admin/sandbox', label: 'admin.nav.sandbox', adminOnly: true },
  { href: '/admin/webhooks', label: 'nav.webhooks', adminOnly: true },
  { href: '/admin/api-keys', label: 'nav.apiKeys', adminOnly: true },
  { href: '/admin/workspace', label: 'admin.nav.workspace', adminOnly: true },
  { href: '/admin/people', label: 'admin.nav.people', adminOnly: true },
];

/** AdminNav links the admin pages the user may open, marking the current one. */
export function AdminNav() {
  const here = useLocation().pathname;
  const admin = useSession().session.user.role === 'admin';
  return (
    <nav class="admin-nav" aria-label={t('admin.nav.label')} data-testid="admin-nav">
      <ul>
        {ITEMS.filter((i) => admin || !i.adminOnly).map((i) => (
          <li key={i.href}>
            <Link href={i.href} aria-current={here === i.href ? 'page' : undefined} data-testid={`admin-nav-${i.href.slice(7)}`}>
              {t(i.label)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

interface AdminPageProps {
  title: MessageKey;
  intro: MessageKey;
  testId: string;
  children: ComponentChildren;
}

/** AdminPage frames an admin page: the admin links, the heading and a line on what the page is for. */
export function AdminPage({ title, intro, testId, children }: AdminPageProps) {
  usePageTitle(title);
  return (
    <div class="page" data-testid={testId}>
      <AdminNav />
      <header class="page-header">
        <PageHeading>{t(title)}</PageHeading>
        <p class="muted">{t(intro)}</p>
      </header>
      {children}
    </div>
  );
}
