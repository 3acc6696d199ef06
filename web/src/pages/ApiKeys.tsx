import { useState } from 'preact/hooks';
import { api, ApiError, errorMessage } from '../api';
import { useConfirm } from '../components/ConfirmDialog';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { SecretBox } from '../components/SecretBox';
import { useIdempotencyKey, usePagedList, usePageTitle } from '../hooks';
import { formatDateTime, t, tMaybe } from '../i18n';
import { API_KEY_SCOPES, type ApiKey, type CreatedApiKey } from '../types';

/** ApiKeysPage lists the workspace's API keys, creates and revokes them. */
export function ApiKeysPage() {
  usePageTitle('apiKeys.title');
  const list = usePagedList((cursor) => api.apiKeys(cursor), []);
  const confirm = useConfirm();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [busyId, setBusyId] = useState('');

  const revoke = async (key: ApiKey) => {
    if (!(await confirm.ask(t('apiKeys.revokeConfirm', { name: key.name }), t('apiKeys.revoke')))) return;
    setBusyId(key.id);
    setError('');
    setNotice('');
    try {
      await api.revokeApiKey(key.id);
      const now = new Date().toISOString();
      list.setItems((items) => items.map((k) => (k.id === key.id ? { ...k, revoked_at: k.revoked_at ?? now } : k)));
      setNotice(t('apiKeys.revoked'));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusyId('');
    }
  };

  return (
    <div class="page">
      <header class="page-header">
        <PageHeading>{t('apiKeys.title')}</PageHeading>
        <p class="muted">{t('apiKeys.intro')}</p>
      </header>

      <section class="panel" aria-labelledby="new-key-title">
        <h2 id="new-key-title">{t('apiKeys.new')}</h2>
        {created && (
          <SecretBox
            title={t('apiKeys.keyTitle')}
            intro={`${t('apiKeys.keyIntro')} (${created.name})`}
            value={created.key}
            testId="api-key-secret"
            onDone={() => setCreated(null)}
          />
        )}
        <ApiKeyForm
          onCreated={(key) => {
            const { key: _key, ...stored } = key;
            list.setItems((items) => [stored, ...items.filter((k) => k.id !== key.id)]);
            setCreated(key);
          }}
        />
      </section>

      <section class="panel" aria-labelledby="keys-list-title">
        <div class="panel-header">
          <h2 id="keys-list-title">{t('apiKeys.listTitle')}</h2>
          <button type="button" class="button button-quiet" onClick={() => void list.reload()}>
            {t('common.refresh')}
          </button>
        </div>
        <Notice kind="success">{notice}</Notice>
        <Notice kind="error" testId="api-keys-error">
          {error || list.error}
        </Notice>
        {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{t('apiKeys.empty')}</p>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="api-keys-table">
              <thead>
                <tr>
                  <th scope="col">{t('apiKeys.name')}</th>
                  <th scope="col">{t('apiKeys.scopes')}</th>
                  <th scope="col" class="hide-narrow">{t('common.created')}</th>
                  <th scope="col">{t('apiKeys.lastUsed')}</th>
                  <th scope="col">{t('apiKeys.status')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((key) => (
                  <tr key={key.id} data-testid="api-key-row" data-id={key.id} class={key.revoked_at ? 'revoked' : undefined}>
                    <td class="cell-main">{key.name}</td>
                    <td>
                      <ul class="tag-list">
                        {key.scopes.map((s) => (
                          <li key={s}>
                            <code>{s}</code>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td class="nowrap hide-narrow">{formatDateTime(key.created_at)}</td>
                    <td class="nowrap">{key.last_used_at ? formatDateTime(key.last_used_at) : t('common.never')}</td>
                    <td>
                      {key.revoked_at ? (
                        <span class="badge badge-muted">{t('apiKeys.revokedStatus', { when: formatDateTime(key.revoked_at) })}</span>
                      ) : (
                        <span class="badge badge-succeeded">{t('apiKeys.activeStatus')}</span>
                      )}
                    </td>
                    <td class="cell-actions">
                      {!key.revoked_at && (
                        <button
                          type="button"
                          class="button button-small button-danger-quiet"
                          disabled={busyId === key.id}
                          onClick={() => void revoke(key)}
                          aria-label={`${t('apiKeys.revoke')}: ${key.name}`}
                          data-testid="api-key-revoke"
                        >
                          {t('apiKeys.revoke')}
                        </button>
                      )}
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

function ApiKeyForm({ onCreated }: { onCreated: (k: CreatedApiKey) => void }) {
  const idem = useIdempotencyKey();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [scopesMissing, setScopesMissing] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (scopes.length === 0) return setScopesMissing(true);
    setScopesMissing(false);
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), scopes };
    try {
      const key = await api.createApiKey(body, idem.keyFor(body));
      idem.done();
      setName('');
      setScopes(['read']);
      onCreated(key);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const nameError = error instanceof ApiError ? error.fieldError('name') : undefined;
  const scopesError = scopesMissing ? t('apiKeys.noScopes') : error instanceof ApiError ? error.fieldError('scopes') : undefined;

  return (
    <form onSubmit={submit} class="form" data-testid="api-key-form">
      <div class="field">
        <label for="api-key-name">{t('apiKeys.name')}</label>
        <input
          id="api-key-name"
          name="name"
          required
          aria-invalid={nameError ? true : undefined}
          aria-describedby="api-key-name-hint"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <p id="api-key-name-hint" class={nameError ? 'field-error' : 'hint'}>
          {nameError ?? t('apiKeys.nameHint')}
        </p>
      </div>
      <fieldset class="field checkbox-group" aria-describedby={scopesError ? 'api-key-scopes-error' : undefined}>
        <legend>{t('apiKeys.scopes')}</legend>
        <div class="checkbox-grid">
          {API_KEY_SCOPES.map((scope) => (
            <label key={scope} class="checkbox">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(e) =>
                  setScopes(e.currentTarget.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))
                }
              />
              <span>{tMaybe(`scope.${scope}`, scope)}</span>
            </label>
          ))}
        </div>
        {scopesError && (
          <p id="api-key-scopes-error" class="field-error">
            {scopesError}
          </p>
        )}
      </fieldset>
      <Notice kind="error" testId="api-key-create-error">
        {error ? errorMessage(error) : ''}
      </Notice>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="api-key-submit">
          {busy ? t('common.working') : t('apiKeys.create')}
        </button>
      </div>
    </form>
  );
}
