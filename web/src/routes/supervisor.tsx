// The supervisor's and admin's pages beyond webhooks and API keys: the wall and
// the routing, channel and content settings. App's router asks here first.
// Each page is its own chunk, loaded when first opened, so that an agent's
// desktop never downloads the wall or the admin forms.
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { Notice } from '../components/Notice';
import { t } from '../i18n';
import { ProblemPage } from '../pages/Problem';
import type { User } from '../types';

type Loader = () => Promise<ComponentType>;

/** Who may open a page: admins only, admins and supervisors, or every signed-in user. */
type Audience = 'admin' | 'staff' | 'everyone';

interface PageDef {
  audience: Audience;
  load: Loader;
}

const PAGES: Record<string, PageDef> = {
  '/wall': { audience: 'staff', load: () => import('../supervisor/Wall').then((m) => m.WallPage) },
  '/admin/channels': { audience: 'admin', load: () => import('../supervisor/Channels').then((m) => m.ChannelsPage) },
  '/admin/queues': { audience: 'staff', load: () => import('../supervisor/Queues').then((m) => m.QueuesPage) },
  '/admin/routing-rules': { audience: 'staff', load: () => import('../supervisor/RoutingRules').then((m) => m.RoutingRulesPage) },
  '/admin/agents': { audience: 'staff', load: () => import('../supervisor/Agents').then((m) => m.AgentsPage) },
  '/admin/sla': { audience: 'staff', load: () => import('../supervisor/Sla').then((m) => m.SlaPage) },
  '/admin/hours': { audience: 'staff', load: () => import('../supervisor/Hours').then((m) => m.HoursPage) },
  '/admin/listening': { audience: 'admin', load: () => import('../supervisor/Listening').then((m) => m.ListeningPage) },
  '/admin/phone-numbers': { audience: 'admin', load: () => import('../supervisor/PhoneNumbers').then((m) => m.PhoneNumbersPage) },
  '/admin/whatsapp-templates': { audience: 'admin', load: () => import('../supervisor/WhatsAppTemplates').then((m) => m.WhatsAppTemplatesPage) },
  '/admin/canned': { audience: 'staff', load: () => import('../supervisor/Canned').then((m) => m.CannedPage) },
  '/admin/notifications': { audience: 'staff', load: () => import('../supervisor/Notifications').then((m) => m.NotificationsPage) },
  '/admin/notification-types': { audience: 'admin', load: () => import('../supervisor/NotificationTypes').then((m) => m.NotificationTypesPage) },
  '/admin/outbox': { audience: 'admin', load: () => import('../supervisor/Outbox').then((m) => m.OutboxPage) },
  '/admin/sandbox': { audience: 'admin', load: () => import('../supervisor/Sandbox').then((m) => m.SandboxPage) },
  '/admin/people': { audience: 'admin', load: () => import('../join/People').then((m) => m.PeoplePage) },
  '/setup': { audience: 'admin', load: () => import('../join/Setup').then((m) => m.SetupPage) },
  '/admin/notification-settings': { audience: 'admin', load: () => import('../supervisor/NotificationSettings').then((m) => m.NotificationSettingsPage) },
  '/admin/workspace': { audience: 'admin', load: () => import('../supervisor/Workspace').then((m) => m.WorkspacePage) },
  '/admin/context-connectors': { audience: 'admin', load: () => import('../pages/ContextConnectors').then((m) => m.ContextConnectorsPage) },
  '/admin/reports': { audience: 'staff', load: () => import('../supervisor/Reports').then((m) => m.ReportsPage) },
  '/admin/knowledge-measures': { audience: 'staff', load: () => import('../supervisor/KnowledgeMeasures').then((m) => m.KnowledgeMeasuresPage) },
  '/admin/community': { audience: 'admin', load: () => import('../community/CommunityAdmin').then((m) => m.CommunityAdminPage) },
  '/community': { audience: 'everyone', load: () => import('../community/CatalogPage').then((m) => m.CatalogPage) },
  '/admin/context-model': { audience: 'staff', load: () => import('../supervisor/ContextModel').then((m) => m.ContextModelPage) },
  '/customers': { audience: 'everyone', load: () => import('../pages/Customers').then((m) => m.CustomersPage) },
};

/** isStaff tells whether the user may see the wall and manage routing and content. */
export function isStaff(user: User): boolean {
  return user.role === 'admin' || user.role === 'supervisor';
}

function allowed(audience: Audience, user: User): boolean {
  if (audience === 'everyone') return true;
  return audience === 'admin' ? user.role === 'admin' : isStaff(user);
}

/** supervisorRoute returns the page for path, or null when path is not one of these. */
export function supervisorRoute(path: string, user: User): JSX.Element | null {
  const def = PAGES[path];
  if (!def) return null;
  if (!allowed(def.audience, user)) return <ProblemPage message="error.forbidden" />;
  return <Lazy key={path} load={def.load} />;
}

const loaded = new Map<Loader, ComponentType>();

function Lazy({ load }: { load: Loader }) {
  const [Page, setPage] = useState<ComponentType | undefined>(() => loaded.get(load));
  const [error, setError] = useState('');
  useEffect(() => {
    if (Page) return;
    let live = true;
    load().then(
      (c) => {
        loaded.set(load, c);
        if (live) setPage(() => c);
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [load, Page]);
  if (Page) return <Page />;
  return (
    <div class="page" aria-busy={!error}>
      {error ? <Notice kind="error">{error}</Notice> : <p class="muted" role="status">{t('app.loading')}</p>}
    </div>
  );
}
