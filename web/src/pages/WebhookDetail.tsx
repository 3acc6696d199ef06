import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorMessage } from '../api';
import { useConfirm } from '../components/ConfirmDialog';
import { DeliveryDetailPanel } from '../components/DeliveryDetail';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { ActiveBadge, StatusBadge } from '../components/StatusBadge';
import { WebhookForm, type WebhookFields } from '../components/WebhookForm';
import { usePagedList, usePageTitle } from '../hooks';
import { formatDateTime, t } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { Delivery, WebhookEndpoint } from '../types';
import { EventList } from './Webhooks';

/** POLL_MS is how often deliveries refresh while one is still pending. */
const POLL_MS = 2000;
/** POLL_FOR_MS bounds polling after the last action, so an idle tab stops asking. */
const POLL_FOR_MS = 60_000;
/** DUE_SOON_MS: a pending delivery retried sooner than this keeps the list refreshing. */
const DUE_SOON_MS = 30_000;

/**
 * findWebhook fetches one endpoint; null means it does not exist. A server without
 * the single-endpoint GET (405) is served from the list, which is short.
 */
async function findWebhook(id: string): Promise<WebhookEndpoint | null> {
  try {
    return await api.webhook(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    if (!(err instanceof ApiError && err.status === 405)) throw err;
  }
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await api.webhooks(cursor);
    const hit = page.items.find((x) => x.id === id);
    if (hit) return hit;
    if (!page.next_cursor) return null;
    cursor = page.next_cursor;
  }
  return null;
}

/** WebhookDetailPage shows one endpoint, its deliveries and what can be done with them. */
export function WebhookDetailPage({ id }: { id: string }) {
  usePageTitle('deliveries.title');
  const { realtime } = useSession();
  const confirm = useConfirm();
  const [hook, setHook] = useState<WebhookEndpoint | null | undefined>(undefined);
  const [loadError, setLoadError] = useState('');
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [selected, setSelected] = useState('');
  const [pollUntil, setPollUntil] = useState(0);
  const deliveries = usePagedList((cursor) => api.deliveries(id, cursor), [id]);

  useEffect(() => {
    setHook(undefined);
    findWebhook(id).then(setHook, (err) => setLoadError(errorMessage(err)));
  }, [id]);

  // Refresh while something is about to change: for a while after a ping or a
  // replay, and while a pending delivery is due within DUE_SOON_MS. Each reload
  // re-renders, which re-evaluates this and stops the timer once all is quiet.
  const now = Date.now();
  const dueSoon = deliveries.items.some(
    (d) => d.status === 'pending' && (!d.next_attempt_at || Date.parse(d.next_attempt_at) - now < DUE_SOON_MS),
  );
  const polling = dueSoon || pollUntil > now;
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void deliveries.reload();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [polling, id]);

  // Webhook-related events on the feed are a cheap hint to refresh now.
  useEffect(
    () =>
      realtime.subscribe((ev) => {
        if (ev.type.startsWith('webhook')) void deliveries.reload();
      }),
    [realtime, id],
  );

  const act = async (fn: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setError('');
    setNotice('');
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const ping = () =>
    act(async () => {
      const r = await api.pingWebhook(id);
      setNotice(t('webhooks.pinged', { id: r?.delivery_id ?? '' }));
      setPollUntil(Date.now() + POLL_FOR_MS);
      await deliveries.reload();
    });

  const setActive = (active: boolean) =>
    act(async () => {
      const updated = await api.updateWebhook(id, { active });
      setHook((h) => (h ? { ...h, ...updated } : h));
    });

  const save = async (v: WebhookFields) => {
    const updated = await api.updateWebhook(id, v);
    setHook((h) => (h ? { ...h, ...updated } : h));
    setEditing(false);
    setNotice(t('webhooks.saved'));
  };

  const remove = async () => {
    if (!hook) return;
    if (!(await confirm.ask(t('webhooks.deleteConfirm', { url: hook.url }), t('common.delete')))) return;
    await act(async () => {
      await api.deleteWebhook(id);
      navigate('/admin/webhooks');
    });
  };

  const replay = (d: Delivery) =>
    act(async () => {
      await api.replayDelivery(d.id);
      setNotice(t('deliveries.replayed'));
      setPollUntil(Date.now() + POLL_FOR_MS);
      await deliveries.reload();
    });

  const back = (
    <p class="breadcrumb">
      <Link href="/admin/webhooks">← {t('webhooks.backToList')}</Link>
    </p>
  );

  if (hook === undefined) {
    return (
      <div class="page">
        {back}
        <Notice kind="error">{loadError}</Notice>
        {!loadError && <p class="muted">{t('app.loading')}</p>}
      </div>
    );
  }
  if (hook === null) {
    return (
      <div class="page">
        {back}
        <PageHeading>{t('webhooks.notFound')}</PageHeading>
      </div>
    );
  }

  return (
    <div class="page">
      {back}
      <header class="page-header">
        <PageHeading>
          <span class="url">{hook.url}</span>
        </PageHeading>
        {hook.description && <p class="muted">{hook.description}</p>}
        <div class="meta-row">
          <ActiveBadge active={hook.active} />
          <EventList types={hook.event_types} />
        </div>
        <div class="toolbar" role="group" aria-label={t('common.actions')}>
          <button type="button" class="button button-primary" disabled={busy} onClick={() => void ping()} data-testid="webhook-ping">
            {t('webhooks.ping')}
          </button>
          <button type="button" class="button" disabled={busy} onClick={() => void setActive(!hook.active)} data-testid="webhook-toggle">
            {hook.active ? t('webhooks.disable') : t('webhooks.enable')}
          </button>
          <button type="button" class="button" disabled={busy} aria-expanded={editing} onClick={() => setEditing(!editing)}>
            {t('webhooks.edit')}
          </button>
          <button type="button" class="button button-danger-quiet" disabled={busy} onClick={() => void remove()} data-testid="webhook-delete">
            {t('common.delete')}
          </button>
        </div>
        <Notice kind="success" testId="webhook-notice">
          {notice}
        </Notice>
        <Notice kind="error" testId="webhook-error">
          {error}
        </Notice>
      </header>

      {editing && (
        <section class="panel" aria-label={t('webhooks.edit')}>
          <WebhookForm
            idPrefix="webhook-edit"
            initial={{ url: hook.url, description: hook.description, event_types: hook.event_types }}
            submitLabel={t('common.save')}
            onSubmit={save}
            onCancel={() => setEditing(false)}
          />
        </section>
      )}

      <section class="panel" aria-labelledby="deliveries-title">
        <div class="panel-header">
          <h2 id="deliveries-title">{t('deliveries.title')}</h2>
          <button type="button" class="button button-quiet" onClick={() => void deliveries.reload()}>
            {t('common.refresh')}
          </button>
        </div>
        <Notice kind="error">{deliveries.error}</Notice>
        {!deliveries.loading && !deliveries.error && deliveries.items.length === 0 && (
          <p class="muted" data-testid="deliveries-empty">
            {t('deliveries.empty')}
          </p>
        )}
        {deliveries.items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="deliveries-table">
              <thead>
                <tr>
                  <th scope="col">{t('deliveries.event')}</th>
                  <th scope="col">{t('deliveries.status')}</th>
                  <th scope="col" class="num">{t('deliveries.attempts')}</th>
                  <th scope="col">{t('deliveries.lastCode')}</th>
                  <th scope="col" class="hide-narrow">{t('common.created')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.items.map((d) => (
                  <tr
                    key={d.id}
                    data-testid="delivery-row"
                    data-id={d.id}
                    data-status={d.status}
                    class={selected === d.id ? 'selected' : undefined}
                  >
                    <td>
                      <code>{d.event_type}</code>
                    </td>
                    <td>
                      <StatusBadge status={d.status} />
                      {d.status === 'pending' && d.next_attempt_at && (
                        <div class="muted small">
                          {t('deliveries.nextAttempt')}: {formatDateTime(d.next_attempt_at)}
                        </div>
                      )}
                    </td>
                    <td class="num">{d.attempts}</td>
                    <td class="small">
                      {d.last_status_code ? <code>{d.last_status_code}</code> : null}
                      {d.last_error && <div class="muted clip" title={d.last_error}>{d.last_error}</div>}
                      {!d.last_status_code && !d.last_error && t('common.none')}
                    </td>
                    <td class="nowrap hide-narrow">{formatDateTime(d.created_at)}</td>
                    <td class="cell-actions">
                      <button
                        type="button"
                        class="button button-small"
                        aria-expanded={selected === d.id}
                        aria-controls="delivery-detail"
                        onClick={() => setSelected(selected === d.id ? '' : d.id)}
                        data-testid="delivery-view"
                      >
                        {t('deliveries.view')}
                      </button>
                      <button
                        type="button"
                        class="button button-small"
                        disabled={busy}
                        onClick={() => void replay(d)}
                        data-testid="delivery-replay"
                      >
                        {t('deliveries.replay')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {deliveries.hasMore && (
          <button type="button" class="button" disabled={deliveries.loading} onClick={() => void deliveries.loadMore()}>
            {t('common.loadMore')}
          </button>
        )}
      </section>

      {selected && (
        <DeliveryDetailPanel
          id={selected}
          version={deliveries.items.find((d) => d.id === selected)?.updated_at ?? ''}
          onClose={() => setSelected('')}
          onReplay={() => {
            const d = deliveries.items.find((x) => x.id === selected);
            if (d) void replay(d);
          }}
          busy={busy}
        />
      )}
      {confirm.element}
    </div>
  );
}
