// /admin/notifications: what went out lately. Recent deliveries newest first,
// filtered by status or by event; the events among them with their counts by
// status; one event's summary; and any delivery's timeline on click.
//
// Test ids: notifications-page, nact-filter, nact-status, nact-event, nact-apply,
// nact-clear, nact-events, nact-event-row (data-event), nact-event-open,
// nact-summary, nact-count (data-status), nact-deliveries, nact-row (data-id),
// nact-open, nact-detail; the timeline's ids are in NotificationTimeline.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { countByStatus, notificationsApi, type EventSummary, type NotifyDelivery } from '../api/notifications';
import { Notice } from '../components/Notice';
import { usePagedList } from '../hooks';
import { formatDateTime, t, tMaybe } from '../i18n';
import { useSession } from '../session';
import { AdminPage } from './AdminNav';
import { channelLabel, NotifyTabs } from './NotificationFields';
import { DeliveryTimeline, NotifyStatusBadge } from './NotificationTimeline';

const STATUSES = ['pending', 'sending', 'sent', 'delivered', 'read', 'replied', 'failed', 'suppressed', 'expired', 'cancelled'];

/** NotificationsPage is /admin/notifications. */
export function NotificationsPage() {
  const admin = useSession().session.user.role === 'admin';
  const [status, setStatus] = useState('');
  const [eventID, setEventID] = useState('');
  const [eventInput, setEventInput] = useState('');
  const [open, setOpen] = useState('');
  const list = usePagedList((cursor) => notificationsApi.deliveries({ status, event_id: eventID }, cursor, 100), [status, eventID]);

  const showEvent = (id: string) => {
    setEventInput(id);
    setEventID(id);
    setOpen('');
  };

  return (
    <AdminPage title="notify.activity.title" intro="notify.activity.intro" testId="notifications-page">
      <NotifyTabs admin={admin} />
      <form
        class="panel admin-row"
        data-testid="nact-filter"
        onSubmit={(e) => {
          e.preventDefault();
          showEvent(eventInput.trim());
        }}
      >
        <label class="admin-inline-label" for="nact-status">
          {t('notify.activity.status')}
        </label>
        <select id="nact-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)} data-testid="nact-status">
          <option value="">{t('notify.activity.anyStatus')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {tMaybe(`notify.status.${s}`, s)}
            </option>
          ))}
        </select>
        <label class="admin-inline-label" for="nact-event">
          {t('notify.activity.event')}
        </label>
        <input id="nact-event" class="grow" value={eventInput} placeholder={t('notify.activity.eventPlaceholder')} onInput={(e) => setEventInput(e.currentTarget.value)} data-testid="nact-event" />
        <button type="submit" class="button button-small" data-testid="nact-apply">
          {t('notify.activity.show')}
        </button>
        {eventID && (
          <button type="button" class="button button-small button-quiet" onClick={() => showEvent('')} data-testid="nact-clear">
            {t('notify.activity.allEvents')}
          </button>
        )}
      </form>
      <Notice kind="error">{list.error}</Notice>
      {eventID ? <EventPanel id={eventID} loaded={list.items} more={list.hasMore} /> : <RecentEvents items={list.items} onOpen={showEvent} />}
      <section class="panel" aria-labelledby="nact-deliveries-title">
        <div class="panel-header">
          <h2 id="nact-deliveries-title">{t('notify.activity.deliveries')}</h2>
          <button type="button" class="button button-small" onClick={() => void list.reload()}>
            {t('common.refresh')}
          </button>
        </div>
        {!list.loading && list.items.length === 0 && <p class="muted">{t('notify.activity.empty')}</p>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="nact-deliveries">
              <thead>
                <tr>
                  <th scope="col">{t('common.created')}</th>
                  <th scope="col">{t('notify.activity.type')}</th>
                  <th scope="col" class="hide-narrow">{t('notify.activity.persona')}</th>
                  <th scope="col">{t('notify.activity.channel')}</th>
                  <th scope="col">{t('notify.activity.status')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((d) => (
                  <tr key={d.id} data-testid="nact-row" data-id={d.id}>
                    <td class="nowrap">{formatDateTime(d.created_at)}</td>
                    <td>
                      <code>{d.type}</code>
                    </td>
                    <td class="hide-narrow" data-testid="nact-customer" title={d.persona_id}>
                      {d.customer || <span class="muted">{t('notify.activity.unknownCustomer')}</span>}
                    </td>
                    <td>{d.channel ? channelLabel(d.channel) : t('common.none')}</td>
                    <td>
                      <NotifyStatusBadge status={d.status} />
                    </td>
                    <td class="cell-actions">
                      <button
                        type="button"
                        class="button button-small"
                        aria-expanded={open === d.id}
                        aria-controls="nact-detail"
                        onClick={() => setOpen(open === d.id ? '' : d.id)}
                        data-testid="nact-open"
                      >
                        {t('notify.activity.timeline')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list.hasMore && (
          <button type="button" class="button" disabled={list.loading} onClick={() => void list.loadMore()}>
            {t('common.loadMore')}
          </button>
        )}
      </section>
      {open && (
        <section id="nact-detail" class="panel" aria-labelledby="nact-detail-title" data-testid="nact-detail">
          <div class="panel-header">
            <h2 id="nact-detail-title">{t('notify.activity.detailTitle', { id: open })}</h2>
            <button type="button" class="button button-quiet" onClick={() => setOpen('')}>
              {t('common.close')}
            </button>
          </div>
          <DeliveryTimeline id={open} />
        </section>
      )}
    </AdminPage>
  );
}

/** Counts lists counts by status, the busiest first. */
function Counts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return <span class="muted">{t('common.none')}</span>;
  return (
    <ul class="tag-list">
      {entries.map(([s, n]) => (
        <li key={s} data-testid="nact-count" data-status={s}>
          <NotifyStatusBadge status={s} /> {n}
        </li>
      ))}
    </ul>
  );
}

interface EventRow {
  id: string;
  type: string;
  first: string;
  deliveries: NotifyDelivery[];
}

/** RecentEvents groups the loaded deliveries by event, newest event first. */
function RecentEvents({ items, onOpen }: { items: NotifyDelivery[]; onOpen: (id: string) => void }) {
  const byEvent = new Map<string, EventRow>();
  for (const d of items) {
    const row = byEvent.get(d.event_id) ?? { id: d.event_id, type: d.type, first: d.created_at, deliveries: [] };
    row.deliveries.push(d);
    if (d.created_at < row.first) row.first = d.created_at;
    byEvent.set(d.event_id, row);
  }
  const rows = [...byEvent.values()];
  if (!rows.length) return null;
  return (
    <section class="panel" aria-labelledby="nact-events-title">
      <h2 id="nact-events-title">{t('notify.activity.events')}</h2>
      <p class="muted small">{t('notify.activity.eventsHint', { n: items.length })}</p>
      <div class="table-wrap">
        <table class="table" data-testid="nact-events">
          <thead>
            <tr>
              <th scope="col">{t('notify.activity.event')}</th>
              <th scope="col">{t('notify.activity.type')}</th>
              <th scope="col" class="hide-narrow">{t('common.created')}</th>
              <th scope="col">{t('notify.activity.counts')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="nact-event-row" data-event={r.id}>
                <td>
                  <button type="button" class="button button-small button-quiet" onClick={() => onOpen(r.id)} aria-label={t('notify.activity.openEvent', { id: r.id })} data-testid="nact-event-open">
                    <code>{r.id}</code>
                  </button>
                </td>
                <td>
                  <code>{r.type}</code>
                </td>
                <td class="hide-narrow nowrap">{formatDateTime(r.first)}</td>
                <td>
                  <Counts counts={countByStatus(r.deliveries)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** EventPanel is one event: what was raised, for how many, and where its deliveries stand. */
function EventPanel({ id, loaded, more }: { id: string; loaded: NotifyDelivery[]; more: boolean }) {
  const [ev, setEv] = useState<EventSummary | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setEv(null);
    setError('');
    notificationsApi.event(id).then(
      (v) => live && setEv(v),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [id]);
  const counts = ev?.counts ?? countByStatus(loaded);
  return (
    <section class="panel" aria-labelledby="nact-summary-title" data-testid="nact-summary">
      <h2 id="nact-summary-title">{t('notify.activity.eventTitle', { id })}</h2>
      <Notice kind="error">{error}</Notice>
      {ev && (
        <dl class="facts">
          <div>
            <dt>{t('notify.activity.type')}</dt>
            <dd>
              <code>{ev.event.type}</code>
            </dd>
          </div>
          <div>
            <dt>{t('common.created')}</dt>
            <dd>{formatDateTime(ev.event.created_at)}</dd>
          </div>
          <div>
            <dt>{t('notify.activity.recipients')}</dt>
            <dd>{ev.event.recipients}</dd>
          </div>
          {ev.event.send_at && (
            <div>
              <dt>{t('notify.activity.sendAt')}</dt>
              <dd>{formatDateTime(ev.event.send_at)}</dd>
            </div>
          )}
          {ev.event.expires_at && (
            <div>
              <dt>{t('notify.d.expires')}</dt>
              <dd>{formatDateTime(ev.event.expires_at)}</dd>
            </div>
          )}
        </dl>
      )}
      <h3>{t('notify.activity.counts')}</h3>
      <Counts counts={counts} />
      {!ev?.counts && more && <p class="hint">{t('notify.activity.countsLoaded', { n: loaded.length })}</p>}
      {ev && Object.keys(ev.event.data ?? {}).length > 0 && (
        <details>
          <summary>{t('notify.activity.data')}</summary>
          <pre class="code-block">{JSON.stringify(ev.event.data, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}
