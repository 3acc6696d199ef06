// /customers: every customer of the workspace, for agents and supervisors.
// Search by name (accents ignored), email, phone (any common spelling) or
// reference; a profile with identifiers and how each was proven, claims,
// conversations and notification consent; merge two records of one person,
// after a confirmation, with an undo.
//
// Test ids: customers-page, customers-search, customer-row (data-id,
// data-name), customers-empty, customer-profile (data-id), customer-name,
// customer-identifier (data-kind, data-verified), customer-claim,
// customer-conversation (data-id), customer-consent, merge-search,
// merge-candidate (data-id, data-name), merge-notice, merge-undo.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import type { Conversation, Identifier, Persona } from '../api/conversation';
import { customersApi, type Merged, type PreferenceView } from '../api/customers';
import { useConfirm } from '../components/ConfirmDialog';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { usePagedList, usePageTitle } from '../hooks';
import { formatDateTime, t, tMaybe } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import '../styles/customers.css';

/** useSearch waits for the user to pause typing before it searches. */
function useDebounced(value: string, ms = 250): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** CustomersPage is /customers; ?id= opens a profile. */
export function CustomersPage() {
  usePageTitle('customers.title');
  const url = useLocation();
  const selected = url.searchParams.get('id') ?? '';
  const [typed, setTyped] = useState(url.searchParams.get('q') ?? '');
  const q = useDebounced(typed.trim());
  const list = usePagedList((cursor) => (q ? customersApi.search(q) : customersApi.list(cursor)), [q]);
  const open = (id: string) => navigate(`/customers${id ? `?id=${encodeURIComponent(id)}` : ''}`);

  return (
    <div class="page customers-page" data-testid="customers-page">
      <header class="page-header">
        <PageHeading>{t('customers.title')}</PageHeading>
        <p class="muted">{t('customers.intro')}</p>
      </header>
      <div class="customers-layout">
        <section class="panel customers-list" aria-label={t('customers.list')}>
          <label class="field">
            <span>{t('customers.search')}</span>
            <input
              type="search"
              value={typed}
              placeholder={t('customers.searchPlaceholder')}
              data-testid="customers-search"
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
          </label>
          {list.error && <Notice kind="error">{list.error}</Notice>}
          <ul class="customers-rows" role="list">
            {list.items.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  class="customer-row"
                  aria-current={p.id === selected ? 'true' : undefined}
                  data-testid="customer-row"
                  data-id={p.id}
                  data-name={p.name}
                  onClick={() => open(p.id)}
                >
                  <strong>{p.name || t('customers.unnamed')}</strong>
                  <span class="muted small">{p.identifiers.map((i) => i.value).join(' · ')}</span>
                </button>
              </li>
            ))}
          </ul>
          {!list.loading && list.items.length === 0 && (
            <p class="muted" data-testid="customers-empty">
              {q ? t('customers.noMatch', { q }) : t('customers.none')}
            </p>
          )}
          {!q && list.hasMore && (
            <button type="button" class="button button-small" onClick={list.loadMore}>
              {t('customers.more')}
            </button>
          )}
        </section>
        {selected ? (
          <Profile key={selected} id={selected} onMerged={() => void list.reload()} />
        ) : (
          <section class="panel">
            <p class="muted">{t('customers.pick')}</p>
          </section>
        )}
      </div>
    </div>
  );
}

function proof(i: Identifier): string {
  if (!i.verified) return t('customers.unverified');
  return i.verified_by ? t('customers.verifiedBy', { method: tMaybe(`customers.method.${i.verified_by}`, i.verified_by.replace(/_/g, ' ')) }) : t('customers.verified');
}

function Profile({ id, onMerged }: { id: string; onMerged: () => void }) {
  const [p, setP] = useState<Persona | null>(null);
  const [convs, setConvs] = useState<Conversation[]>([]);
  const [prefs, setPrefs] = useState<PreferenceView | null>(null);
  const [prefsError, setPrefsError] = useState('');
  const [error, setError] = useState('');
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    setError('');
    customersApi.persona(id).then((x) => live && setP(x), (e) => live && setError(errorMessage(e)));
    customersApi.conversations(id).then((x) => live && setConvs(x.items ?? []), () => live && setConvs([]));
    customersApi.preferences(id).then(
      (x) => live && (setPrefs(x), setPrefsError('')),
      (e) => live && setPrefsError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [id, generation]);

  if (error) return <section class="panel"><Notice kind="error">{error}</Notice></section>;
  if (!p) return <section class="panel" aria-busy="true"><p class="muted">{t('app.loading')}</p></section>;

  const consent = Object.entries(prefs?.consent ?? {});
  return (
    <section class="panel customer-profile" data-testid="customer-profile" data-id={p.id} aria-labelledby="customer-name">
      <h2 id="customer-name" data-testid="customer-name">{p.name || t('customers.unnamed')}</h2>
      {p.merged_into && (
        <Notice kind="info">
          {t('customers.mergedInto')} <Link href={`/customers?id=${encodeURIComponent(p.merged_into)}`}>{t('customers.openMerged')}</Link>
        </Notice>
      )}
      <h3>{t('customers.identifiers')}</h3>
      {p.identifiers.length === 0 && !p.claims?.length && <p class="muted">{t('customers.noIdentifiers')}</p>}
      <ul class="customer-identifiers">
        {p.identifiers.map((i) => (
          <li key={`${i.kind}:${i.value}`} data-testid="customer-identifier" data-kind={i.kind} data-verified={String(i.verified)}>
            <span class="identifier-kind muted">{i.kind}</span> <span>{i.value}</span>{' '}
            <span class={`badge ${i.verified ? 'badge-succeeded' : 'badge-muted'}`} title={i.verified_at ? formatDateTime(i.verified_at) : undefined}>
              {proof(i)}
            </span>
          </li>
        ))}
        {(p.claims ?? []).map((i) => (
          <li key={`claim:${i.kind}:${i.value}`} data-testid="customer-claim" data-kind={i.kind}>
            <span class="identifier-kind muted">{i.kind}</span> <span>{i.value}</span>{' '}
            <span class="badge badge-muted">{t('customers.claimed')}</span>
          </li>
        ))}
      </ul>
      <h3>{t('customers.conversations')}</h3>
      {convs.length === 0 ? (
        <p class="muted">{t('customers.noConversations')}</p>
      ) : (
        <ul class="customer-conversations">
          {convs.map((c) => (
            <li key={c.id} data-testid="customer-conversation" data-id={c.id}>
              <Link href={`/desktop/c/${encodeURIComponent(c.id)}`}>{c.subject || t('customers.noSubject')}</Link>{' '}
              <span class="muted small">
                {c.channel} · {tMaybe(`conv.status.${c.status}`, c.status)} · {formatDateTime(c.updated_at)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('customers.preferences')}</h3>
      {prefsError ? (
        <p class="muted">{t('customers.preferencesUnavailable', { detail: prefsError })}</p>
      ) : prefs ? (
        <div data-testid="customer-consent">
          <p class="muted small">
            {prefs.available.length ? t('customers.reachableOn', { channels: prefs.available.join(', ') }) : t('customers.reachableNowhere')}
          </p>
          {consent.length === 0 ? (
            <p class="muted small">{t('customers.noConsent')}</p>
          ) : (
            <ul>
              {consent.map(([scope, granted]) => (
                <li key={scope}>{t(granted ? 'customers.consentGranted' : 'customers.consentWithdrawn', { scope })}</li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      {!p.merged_into && (
        <MergePanel
          survivor={p}
          onMerged={() => {
            setGeneration((g) => g + 1);
            onMerged();
          }}
        />
      )}
    </section>
  );
}

function MergePanel({ survivor, onMerged }: { survivor: Persona; onMerged: () => void }) {
  const confirm = useConfirm();
  const [typed, setTyped] = useState('');
  const q = useDebounced(typed.trim());
  const [found, setFound] = useState<Persona[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState<(Merged & { other: string }) | null>(null);
  const [undone, setUndone] = useState(false);

  useEffect(() => {
    if (!q) {
      setFound([]);
      return;
    }
    let live = true;
    customersApi.search(q).then(
      (x) => live && setFound((x.items ?? []).filter((p) => p.id !== survivor.id)),
      (e) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [q, survivor.id]);

  const name = survivor.name || t('customers.unnamed');
  const merge = async (other: Persona) => {
    const otherName = other.name || t('customers.unnamed');
    if (!(await confirm.ask(t('customers.mergeConfirm', { other: otherName, name }), t('customers.mergeButton')))) return;
    setBusy(true);
    setError('');
    try {
      const m = await customersApi.merge(survivor.id, other.id);
      setDone({ ...m, other: otherName });
      setUndone(false);
      setTyped('');
      onMerged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const undo = async () => {
    if (!done) return;
    setBusy(true);
    try {
      await customersApi.undoMerge(done.merge_id);
      setUndone(true);
      onMerged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="customer-merge" aria-labelledby="merge-title">
      <h3 id="merge-title">{t('customers.merge')}</h3>
      <p class="muted small">{t('customers.mergeIntro')}</p>
      {done && (
        <Notice kind={undone ? 'info' : 'success'}>
          <span data-testid="merge-notice">{undone ? t('customers.undone') : t('customers.merged', { other: done.other, name })}</span>{' '}
          {!undone && (
            <button type="button" class="button button-small" data-testid="merge-undo" disabled={busy} onClick={() => void undo()}>
              {t('customers.undo')}
            </button>
          )}
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <label class="field">
        <span>{t('customers.mergeSearch')}</span>
        <input
          type="search"
          value={typed}
          placeholder={t('customers.searchPlaceholder')}
          data-testid="merge-search"
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
      </label>
      <ul class="customers-rows" role="list">
        {found.map((o) => (
          <li key={o.id} class="merge-candidate-row">
            <span>
              <strong>{o.name || t('customers.unnamed')}</strong>{' '}
              <span class="muted small">{o.identifiers.map((i) => i.value).join(' · ')}</span>
            </span>
            <button
              type="button"
              class="button button-small"
              data-testid="merge-candidate"
              data-id={o.id}
              data-name={o.name}
              disabled={busy}
              onClick={() => void merge(o)}
            >
              {t('customers.mergeInto', { name })}
            </button>
          </li>
        ))}
      </ul>
      {confirm.element}
    </section>
  );
}
