// DesktopPage is the agent's workspace: the inbox on the left, the open
// conversation in the middle, the customer on the right. Below 900 px wide the
// three panes become one, with a way back to the inbox.
//
// Test ids (stable; the e2e tests use them):
//   desktop (data-pane inbox|conversation|customer), inbox, inbox-search, inbox-view-<mine|unassigned|mentions|all|queue-<id>>,
//   inbox-count-<view>, inbox-filters-toggle, inbox-filters, filter-status, filter-channel, filter-priority,
//   filter-sla, filter-tag, filter-clear, inbox-sort, inbox-shown, inbox-list, inbox-row (data-conversation-id,
//   data-status), inbox-row-name, inbox-row-unread, inbox-row-take, inbox-row-resolve, inbox-row-reopen,
//   inbox-notice (a rolled-back change), inbox-error, inbox-empty, desk-conversation, desk-customer,
//   desk-no-selection, customer-context-empty; below 900 px: desk-back, desk-show-conversation, desk-show-customer.
// From the shell: offers, offer (data-offer-id), offer-customer, offer-queue, offer-reason, offer-countdown,
//   offer-accept, offer-decline, offer-mute, offer-error, shortcut-help, shortcut-help-close, presence-select,
//   presence-capacity-toggle, presence-capacity, capacity-<modality>, presence-wrapup, theme-toggle, nav-*.
import { useState } from 'preact/hooks';
import { CustomerPanel } from '../conversation/CustomerPanel';
import { ConversationView } from '../conversation/ConversationView';
import { KnowledgePanel } from '../conversation/KnowledgePanel';
import { InboxPanel } from '../desktop/InboxPanel';
import { OutcomePrompt } from '../knowledge/OutcomePrompt';
import { usePageTitle } from '../hooks';
import { t } from '../i18n';
import { navigate } from '../router';
import '../styles/desktop.css';

/** DesktopPage shows the inbox and, when conversationId is set, that conversation. */
export function DesktopPage({ conversationId = '' }: { conversationId?: string }) {
  usePageTitle('desktop.title');
  // On a narrow screen one pane shows at a time; this picks between the two of an open conversation.
  const [side, setSide] = useState<'conversation' | 'customer'>('conversation');
  const close = () => navigate('/desktop');
  const pane = conversationId ? side : 'inbox';
  return (
    <div class="desk" data-testid="desktop" data-pane={pane}>
      <h1 class="visually-hidden">{t('desktop.title')}</h1>
      <InboxPanel openId={conversationId} />
      {conversationId && (
        <nav class="desk-panebar" aria-label={t('desk.panes')}>
          <button type="button" class="button button-small button-quiet" data-testid="desk-back" onClick={close}>
            <span aria-hidden="true">← </span>
            {t('desk.back')}
          </button>
          <span class="desk-panebar-switch">
            <button
              type="button"
              class="button button-small"
              aria-pressed={side === 'conversation'}
              data-testid="desk-show-conversation"
              onClick={() => setSide('conversation')}
            >
              {t('desk.conversation')}
            </button>
            <button
              type="button"
              class="button button-small"
              aria-pressed={side === 'customer'}
              data-testid="desk-show-customer"
              onClick={() => setSide('customer')}
            >
              {t('desk.customer')}
            </button>
          </span>
        </nav>
      )}
      <section class="desk-conversation" aria-label={t('desk.conversation')} data-testid="desk-conversation">
        {conversationId ? (
          <ConversationView key={conversationId} id={conversationId} onClose={close} />
        ) : (
          <div class="empty-state" data-testid="desk-no-selection">
            <p class="empty-title">{t('desk.noSelection')}</p>
            <p class="muted">{t('desk.noSelectionHint')}</p>
          </div>
        )}
      </section>
      <aside class="desk-customer" aria-label={t('desktop.context')} data-testid="desk-customer">
        <OutcomePrompt />
        {conversationId ? (
          <>
            <KnowledgePanel key={`kb-${conversationId}`} conversationId={conversationId} />
            <CustomerPanel key={conversationId} conversationId={conversationId} />
          </>
        ) : (
          <p class="muted" data-testid="customer-context-empty">
            {t('desktop.contextEmpty')}
          </p>
        )}
      </aside>
    </div>
  );
}
