// The banner under a message that could not be delivered: what failed (the
// message, on which channel), why (the channel's own answer) and when, with a
// Retry that queues it again (POST /messages/{id}/retry, idempotent). The new
// status arrives over the realtime feed like any delivery update.
//
// Test ids: delivery-failed (data-message-id), delivery-failed-reason,
// delivery-retry, delivery-retry-error.
import { useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { deliveryApi } from '../api/delivery';
import { formatDateTime, t } from '../i18n';
import type { Message } from '../api/conversation';

/** failureOf reads why a message failed from its meta (delivery_failure), if it says. */
export function failureOf(m: Message): { reason: string; at: string } | undefined {
  const meta = m.meta as { delivery_failure?: { reason?: string; at?: string } } | undefined;
  const f = meta?.delivery_failure;
  return f?.reason ? { reason: f.reason, at: f.at ?? m.updated_at } : undefined;
}

/** FailedDelivery shows a failed outbound message's banner with its Retry. */
export function FailedDelivery({ m }: { m: Message }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const f = failureOf(m);
  const retry = async () => {
    setBusy(true);
    setError('');
    try {
      await deliveryApi.retry(m.id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="cv-failed" role="alert" data-testid="delivery-failed" data-message-id={m.id}>
      <p>
        <strong>{t('delivery.failed', { channel: m.channel })}</strong>{' '}
        {f && <span class="cv-muted">{t('delivery.failedAt', { when: formatDateTime(f.at) })}</span>}
      </p>
      <p data-testid="delivery-failed-reason">{f ? f.reason : t('delivery.failedNoReason')}</p>
      <button type="button" class="button button-small" disabled={busy} onClick={() => void retry()} data-testid="delivery-retry">
        {busy ? t('common.working') : t('delivery.retry')}
      </button>
      {error && <p class="field-error" data-testid="delivery-retry-error">{error}</p>}
    </div>
  );
}
