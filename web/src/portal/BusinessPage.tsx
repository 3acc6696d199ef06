// One business's page: the customer's preferences there, the notices it sent
// them, and a way to write to it.
import type { Business } from '../api/portal';
import { Link } from '../router';
import { Contact } from './Contact';
import { Heading } from './Heading';
import { t } from './i18n';
import { businessPath, type Tab } from './logic';
import { Notices } from './Notices';
import { Preferences } from './Preferences';

interface Props {
  tenant: string;
  /** business is the tenant's entry of the customer's list; undefined while loading or if not found. */
  business?: Business;
  loading: boolean;
  tab: Tab;
  notice?: string;
  onRead: () => void;
}

const TABS: Tab[] = ['preferences', 'notices', 'contact'];

/** BusinessPage shows a business's tabs; the address names the tab, so each survives a reload. */
export function BusinessPage({ tenant, business, loading, tab, notice, onRead }: Props) {
  const name = business?.tenant_name ?? (loading ? '' : tenant);
  return (
    <section>
      <Heading>{name || t('app.loading')}</Heading>
      <nav class="tabs" aria-label={t('tab.label')}>
        {TABS.map((x) => (
          <Link
            key={x}
            href={businessPath(tenant, x)}
            class={x === tab ? 'tab tab-on' : 'tab'}
            aria-current={x === tab ? 'page' : undefined}
            data-testid={`tab-${x}`}
          >
            {t(`tab.${x}`)}
            {x === 'notices' && !!business?.unread && (
              <span class="badge">
                {business.unread}
                <span class="sr"> {t('notices.unread')}</span>
              </span>
            )}
          </Link>
        ))}
      </nav>
      {tab === 'preferences' && <Preferences key={tenant} tenant={tenant} business={name} />}
      {tab === 'notices' && <Notices key={tenant} tenant={tenant} open={notice} onRead={onRead} />}
      {tab === 'contact' && <Contact key={tenant} tenant={tenant} business={name} />}
    </section>
  );
}
