// One notice's story, for the admin's notifications page and the agent's
// customer panel: its status, the decision that shaped it (channel order and
// every reason), each step since, and what it said. Kept free of the admin
// pages' code so that the desktop can show it without loading them.
//
// Test ids: notify-status (data-status), notify-timeline, notify-step (data-status).
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { notificationsApi, type NotifyDeliveryView } from '../api/notifications';
import { formatDateTime, t, tMaybe } from '../i18n';
import { navigate } from '../router';

const TONE: Record<string, string> = {
  sent: 'succeeded',
  delivered: 'succeeded',
  read: 'succeeded',
  replied: 'succeeded',
  pending: 'pending',
  sending: 'pending',
  failed: 'failed',
  expired: 'failed',
  cancelled: 'failed',
};

/** NotifyStatusBadge shows a delivery status as a coloured pill. */
export function NotifyStatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${TONE[status] ?? 'muted'}`} data-testid="notify-status" data-status={status}>
      {tMaybe(`notify.status.${status}`, status)}
    </span>
  );
}

/** DeliveryTimeline loads one delivery and shows its decision, steps and content. */
export function DeliveryTimeline({ id }: { id: string }) {
  const [view, setView] = useState<NotifyDeliveryView | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setView(null);
    setError('');
    notificationsApi.delivery(id).then(
      (v) => live && setView(v),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (error) return <p class="field-error" role="alert">{error}</p>;
  if (!view) return <p class="muted small" role="status">{t('app.loading')}</p>;
  const d = view;
  return (
    <div class="small" data-testid="notify-timeline">
      <dl class="facts">
        <div>
          <dt>{t('notify.d.channels')}</dt>
          <dd>{d.channels.length ? d.channels.join(' → ') : t('common.none')}</dd>
        </div>
        <div>
          <dt>{t('notify.d.language')}</dt>
          <dd>{d.language || t('common.none')}</dd>
        </div>
        {d.reply_expected && (
          <div>
            <dt>{t('notify.d.response')}</dt>
            <dd>{d.response || d.channel || t('common.none')}</dd>
          </div>
        )}
        {d.expires_at && (
          <div>
            <dt>{t('notify.d.expires')}</dt>
            <dd>{formatDateTime(d.expires_at)}</dd>
          </div>
        )}
      </dl>
      <ol class="attempts">
        <li data-testid="notify-step" data-status="decided">
          <strong>{t('notify.d.decided')}</strong> <span class="muted">{formatDateTime(d.created_at)}</span>
          {d.broke_quiet_hours && <span class="badge badge-pending">{t('notify.d.brokeQuiet')}</span>}
          {d.reasons.length > 0 && (
            <ul>
              {d.reasons.map((r, i) => (
                <li key={i}>{r}</li>
              ))}
            </ul>
          )}
        </li>
        {(d.steps ?? []).map((s, i) => (
          <li key={i} data-testid="notify-step" data-status={s.status}>
            <NotifyStatusBadge status={s.status} /> {s.channel && <span class="tag">{s.channel}</span>}{' '}
            <span class="muted">{formatDateTime(s.at)}</span>
            {s.detail && <div>{s.detail}</div>}
          </li>
        ))}
      </ol>
      {d.conversation_id && (
        <p>
          <a
            href={`/desktop/c/${encodeURIComponent(d.conversation_id)}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/desktop/c/${encodeURIComponent(d.conversation_id!)}`);
            }}
          >
            {t('notify.d.reply')}
          </a>
        </p>
      )}
      {(d.subject || d.body) && (
        <details>
          <summary>{t('notify.d.content')}</summary>
          {d.subject && <p><strong>{d.subject}</strong></p>}
          <pre class="code-block">{d.body}</pre>
        </details>
      )}
    </div>
  );
}
