// The businesses the signed-in customer is known to: the one place where the
// personas of several businesses meet, and only for the identifier's owner.
import type { Business } from '../api/portal';
import { Link } from '../router';
import { Heading } from './Heading';
import { t } from './i18n';
import { businessPath } from './logic';

/** BusinessList links to each business's page, with its unread notices. */
export function BusinessList({ businesses }: { businesses: Business[] | null }) {
  return (
    <section>
      <Heading>{t('biz.title')}</Heading>
      <p class="muted">{t('biz.intro')}</p>
      {businesses === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : businesses.length === 0 ? (
        <p class="card">{t('biz.empty')}</p>
      ) : (
        <ul class="list" data-testid="businesses">
          {businesses.map((b) => (
            <li key={b.tenant_id}>
              <Link class="list-item" href={businessPath(b.tenant_id)} data-testid="business">
                <span class="grow">
                  <strong>{b.tenant_name}</strong>
                  {b.persona_name && <span class="muted block">{t('biz.as', { name: b.persona_name })}</span>}
                </span>
                {b.unread > 0 && <span class="badge">{t('biz.unread', { n: b.unread })}</span>}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
