import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { formatDateTime, t } from '../i18n';
import type { DeliveryDetail } from '../types';
import { Notice } from './Notice';
import { StatusBadge } from './StatusBadge';

interface Props {
  id: string;
  /** version changes when the delivery changes in the list, to refetch its attempts. */
  version: string;
  busy: boolean;
  onClose: () => void;
  onReplay: () => void;
}

/** DeliveryDetailPanel shows every attempt of one delivery: when, how long, what came back. */
export function DeliveryDetailPanel({ id, version, busy, onClose, onReplay }: Props) {
  const [detail, setDetail] = useState<DeliveryDetail | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    api.delivery(id).then(
      (d) => live && (setDetail(d), setError('')),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [id, version]);

  const attempts = detail && Array.isArray(detail.attempts) ? detail.attempts : [];

  return (
    <section id="delivery-detail" class="panel" aria-labelledby="delivery-detail-title" data-testid="delivery-detail">
      <div class="panel-header">
        <h2 id="delivery-detail-title">{t('deliveries.detailTitle', { id })}</h2>
        <div class="toolbar">
          <button type="button" class="button" disabled={busy} onClick={onReplay}>
            {t('deliveries.replay')}
          </button>
          <button type="button" class="button button-quiet" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </div>
      <Notice kind="error">{error}</Notice>
      {!detail && !error && <p class="muted">{t('app.loading')}</p>}
      {detail && (
        <>
          <dl class="facts">
            <div>
              <dt>{t('deliveries.event')}</dt>
              <dd>
                <code>{detail.event_type}</code>
              </dd>
            </div>
            <div>
              <dt>{t('deliveries.status')}</dt>
              <dd>
                <StatusBadge status={detail.status} />
              </dd>
            </div>
            <div>
              <dt>{t('common.created')}</dt>
              <dd>{formatDateTime(detail.created_at)}</dd>
            </div>
            {detail.status === 'pending' && detail.next_attempt_at && (
              <div>
                <dt>{t('deliveries.nextAttempt')}</dt>
                <dd>{formatDateTime(detail.next_attempt_at)}</dd>
              </div>
            )}
          </dl>
          {attempts.length === 0 && <p class="muted">{t('deliveries.noAttempts')}</p>}
          <ol class="attempts">
            {attempts.map((a) => (
              <li key={a.attempt} class="attempt" data-testid="delivery-attempt">
                <h3>{t('deliveries.attempt', { n: a.attempt })}</h3>
                <dl class="facts">
                  <div>
                    <dt>{t('deliveries.startedAt')}</dt>
                    <dd>{formatDateTime(a.started_at)}</dd>
                  </div>
                  <div>
                    <dt>{t('deliveries.duration')}</dt>
                    <dd>{t('deliveries.durationMs', { ms: a.duration_ms })}</dd>
                  </div>
                  <div>
                    <dt>{t('deliveries.statusCode')}</dt>
                    <dd>{a.status_code ? <code>{a.status_code}</code> : t('common.none')}</dd>
                  </div>
                </dl>
                {a.error && (
                  <>
                    <h4>{t('deliveries.error')}</h4>
                    <pre class="code-block">{a.error}</pre>
                  </>
                )}
                {a.response_body && (
                  <>
                    <h4>{t('deliveries.responseBody')}</h4>
                    <pre class="code-block">{a.response_body}</pre>
                  </>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
