import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { useConfirm } from '../components/ConfirmDialog';
import { ALL } from '../components/EventTypePicker';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { SecretBox } from '../components/SecretBox';
import { ActiveBadge } from '../components/StatusBadge';
import { WebhookForm, type WebhookFields } from '../components/WebhookForm';
import { useIdempotencyKey, usePagedList, usePageTitle } from '../hooks';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router';
import type { CreatedWebhook, WebhookEndpoint } from '../types';

/** WebhooksPage lists the workspace's endpoints and registers new ones. */
export function WebhooksPage() {
  usePageTitle('webhooks.title');
  const list = usePagedList((cursor) => api.webhooks(cursor), []);
  const idem = useIdempotencyKey();
  const confirm = useConfirm();
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [busyId, setBusyId] = useState('');

  const create = async (v: WebhookFields) => {
    const hook = await api.createWebhook(v, idem.keyFor(v));
    idem.done();
    const { secret: _secret, ...endpoint } = hook;
    list.setItems((items) => [endpoint, ...items.filter((x) => x.id !== hook.id)]);
    setCreated(hook);
    setNotice(t('webhooks.created'));
  };

  const run = async (id: string, fn: () => Promise<void>) => {
    setBusyId(id);
    setError('');
    setNotice('');
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusyId('');
    }
  };

  const setActive = (hook: WebhookEndpoint, active: boolean) =>
    run(hook.id, async () => {
      const updated = await api.updateWebhook(hook.id, { active });
      list.setItems((items) => items.map((x) => (x.id === hook.id ? { ...x, ...updated } : x)));
    });

  const remove = async (hook: WebhookEndpoint) => {
    if (!(await confirm.ask(t('webhooks.deleteConfirm', { url: hook.url }), t('common.delete')))) return;
    await run(hook.id, async () => {
      await api.deleteWebhook(hook.id);
      list.setItems((items) => items.filter((x) => x.id !== hook.id));
      setNotice(t('webhooks.deleted'));
    });
  };

  return (
    <div class="page">
      <header class="page-header">
        <PageHeading>{t('webhooks.title')}</PageHeading>
        <p class="muted">{t('webhooks.intro')}</p>
      </header>

      <section class="panel" aria-labelledby="new-webhook-title">
        <h2 id="new-webhook-title">{t('webhooks.new')}</h2>
        {created && (
          <SecretBox
            title={t('webhooks.secretTitle')}
            intro={`${t('webhooks.secretIntro')} (${created.url})`}
            value={created.secret}
            testId="webhook-secret"
            onDone={() => setCreated(null)}
          />
        )}
        <WebhookForm idPrefix="webhook-create" submitLabel={t('webhooks.create')} onSubmit={create} />
      </section>

      <section class="panel" aria-labelledby="webhooks-list-title">
        <div class="panel-header">
          <h2 id="webhooks-list-title">{t('webhooks.listTitle')}</h2>
          <button type="button" class="button button-quiet" onClick={() => void list.reload()}>
            {t('common.refresh')}
          </button>
        </div>
        <Notice kind="success">{notice}</Notice>
        <Notice kind="error" testId="webhooks-error">
          {error || list.error}
        </Notice>
        {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{t('webhooks.empty')}</p>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="webhooks-table">
              <thead>
                <tr>
                  <th scope="col">{t('webhooks.url')}</th>
                  <th scope="col">{t('webhooks.events')}</th>
                  <th scope="col">{t('webhooks.status')}</th>
                  <th scope="col" class="hide-narrow">{t('common.created')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((hook) => (
                  <tr key={hook.id} data-testid="webhook-row" data-id={hook.id}>
                    <td class="cell-main">
                      <Link href={`/admin/webhooks/${encodeURIComponent(hook.id)}`} class="url">
                        {hook.url}
                      </Link>
                      {hook.description && <div class="muted small">{hook.description}</div>}
                    </td>
                    <td>
                      <EventList types={hook.event_types} />
                    </td>
                    <td>
                      <ActiveBadge active={hook.active} />
                    </td>
                    <td class="nowrap hide-narrow">{formatDateTime(hook.created_at)}</td>
                    <td class="cell-actions">
                      <Link
                        href={`/admin/webhooks/${encodeURIComponent(hook.id)}`}
                        class="button button-small"
                        aria-label={`${t('webhooks.open')}: ${hook.url}`}
                        data-testid="webhook-open"
                      >
                        {t('webhooks.open')}
                      </Link>
                      <button
                        type="button"
                        class="button button-small"
                        disabled={busyId === hook.id}
                        onClick={() => void setActive(hook, !hook.active)}
                        aria-label={`${hook.active ? t('webhooks.disable') : t('webhooks.enable')}: ${hook.url}`}
                      >
                        {hook.active ? t('webhooks.disable') : t('webhooks.enable')}
                      </button>
                      <button
                        type="button"
                        class="button button-small button-danger-quiet"
                        disabled={busyId === hook.id}
                        onClick={() => void remove(hook)}
                        aria-label={`${t('common.delete')}: ${hook.url}`}
                      >
                        {t('common.delete')}
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
      {confirm.element}
    </div>
  );
}

/** EventList shows subscribed event types compactly. */
export function EventList({ types }: { types: string[] }) {
  return (
    <ul class="tag-list">
      {types.map((type) => (
        <li key={type}>{type === ALL ? <span class="tag">{t('webhooks.allEventsShort')}</span> : <code>{type}</code>}</li>
      ))}
    </ul>
  );
}
