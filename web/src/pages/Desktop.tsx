import { PageHeading } from '../components/PageHeading';
import { usePageTitle } from '../hooks';
import { t } from '../i18n';

/**
 * DesktopPage is the agent's workspace. For now it is the frame only: the inbox
 * on the left and the customer's context beside it, both empty.
 */
export function DesktopPage() {
  usePageTitle('desktop.title');
  return (
    <div class="desktop">
      <PageHeading>
        <span class="visually-hidden">{t('desktop.title')}</span>
      </PageHeading>
      <section class="panel inbox" aria-labelledby="inbox-title" data-testid="inbox">
        <h2 id="inbox-title">{t('desktop.inbox')}</h2>
        <div class="empty-state">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="40" height="40" class="empty-icon">
            <path
              fill="none"
              stroke="currentColor"
              stroke-width="1.5"
              stroke-linejoin="round"
              d="M3 13l2.5-8h13L21 13v6H3v-6zm0 0h5l1 2h6l1-2h5"
            />
          </svg>
          <p class="empty-title" data-testid="inbox-empty">
            {t('desktop.inboxEmpty')}
          </p>
          <p class="muted">{t('desktop.inboxEmptyHint')}</p>
        </div>
      </section>
      <aside class="panel context" aria-labelledby="context-title" data-testid="customer-context">
        <h2 id="context-title">{t('desktop.context')}</h2>
        <p class="muted">{t('desktop.contextEmpty')}</p>
      </aside>
    </div>
  );
}
