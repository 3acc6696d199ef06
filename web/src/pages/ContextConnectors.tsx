// The admin's context connectors: add one (its secret shown once), test it
// for a customer ("call it for this customer and show what came back"),
// watch its figures, switch it off or delete it.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { contextApi, type ConnectorStats, type ContextConnector, type ContextSource, type NewConnector } from '../api/context';
import { customersApi } from '../api/customers';
import type { Persona } from '../api/conversation';
import { useConfirm } from '../components/ConfirmDialog';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { SecretBox } from '../components/SecretBox';
import { ActiveBadge } from '../components/StatusBadge';
import { ContextItemList } from '../conversation/ContextItems';
import { useIdempotencyKey, usePageTitle } from '../hooks';
import { t, tMaybe, formatDateTime } from '../i18n';
import '../styles/context.css';

const EMPTY: NewConnector = { name: '', url: '', budget_ms: 800, cache_ttl_seconds: 60 };

/** ContextConnectorsPage lists the workspace's connectors and adds, tests and watches them. */
export function ContextConnectorsPage() {
  usePageTitle('ctx.title');
  const [items, setItems] = useState<ContextConnector[] | null>(null);
  const [created, setCreated] = useState<ContextConnector | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [open, setOpen] = useState<{ id: string; what: 'test' | 'stats' } | null>(null);
  const confirm = useConfirm();

  const load = () => contextApi.list().then((r) => setItems(r.items), (err) => setError(errorMessage(err)));
  useEffect(() => void load(), []);

  const run = async (fn: () => Promise<void>) => {
    setError('');
    setNotice('');
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const setActive = (c: ContextConnector) =>
    run(async () => {
      const u = await contextApi.update(c.id, { active: !c.active });
      setItems((xs) => xs?.map((x) => (x.id === c.id ? u : x)) ?? null);
    });
  const remove = async (c: ContextConnector) => {
    if (!(await confirm.ask(t('ctx.deleteConfirm', { name: c.name }), t('common.delete')))) return;
    await run(async () => {
      await contextApi.remove(c.id);
      setItems((xs) => xs?.filter((x) => x.id !== c.id) ?? null);
      setNotice(t('ctx.deleted'));
    });
  };
  const toggle = (id: string, what: 'test' | 'stats') => setOpen((o) => (o?.id === id && o.what === what ? null : { id, what }));

  return (
    <div class="page">
      <header class="page-header">
        <PageHeading>{t('ctx.title')}</PageHeading>
        <p class="muted">{t('ctx.intro')}</p>
      </header>

      <section class="panel" aria-labelledby="ctx-new-title">
        <h2 id="ctx-new-title">{t('ctx.new')}</h2>
        {created?.secret && (
          <SecretBox
            title={t('ctx.secretTitle')}
            intro={`${t('ctx.secretIntro')} (${created.name})`}
            value={created.secret}
            testId="ctx-secret"
            onDone={() => setCreated(null)}
          />
        )}
        <AddForm
          onAdded={(c) => {
            const { secret: _s, ...shown } = c;
            setItems((xs) => [...(xs ?? []), shown].sort((a, b) => a.name.localeCompare(b.name)));
            setCreated(c);
            setNotice(t('ctx.created'));
          }}
        />
      </section>

      <section class="panel" aria-labelledby="ctx-list-title">
        <div class="panel-header">
          <h2 id="ctx-list-title">{t('ctx.listTitle')}</h2>
          <button type="button" class="button button-quiet" onClick={() => void load()}>
            {t('common.refresh')}
          </button>
        </div>
        <Notice kind="success">{notice}</Notice>
        <Notice kind="error" testId="ctx-error">
          {error}
        </Notice>
        {items?.length === 0 && <p class="muted">{t('ctx.empty')}</p>}
        {items && items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="ctx-table">
              <thead>
                <tr>
                  <th scope="col">{t('ctx.name')}</th>
                  <th scope="col" class="hide-narrow">{t('ctx.url')}</th>
                  <th scope="col">{t('ctx.budget')}</th>
                  <th scope="col">{t('ctx.status')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <>
                    <tr key={c.id} data-testid="ctx-row" data-name={c.name}>
                      <td class="cell-main">{c.name}</td>
                      <td class="hide-narrow url">{c.url}</td>
                      <td class="nowrap">{t('ctx.ms', { ms: c.budget_ms })}</td>
                      <td>
                        <ActiveBadge active={c.active} />
                      </td>
                      <td class="cell-actions">
                        <button type="button" class="button button-small" data-testid="ctx-test" aria-expanded={open?.id === c.id && open.what === 'test'} onClick={() => toggle(c.id, 'test')}>
                          {t('ctx.test')}
                        </button>
                        <button type="button" class="button button-small" data-testid="ctx-stats" aria-expanded={open?.id === c.id && open.what === 'stats'} onClick={() => toggle(c.id, 'stats')}>
                          {t('ctx.stats')}
                        </button>
                        <button type="button" class="button button-small" onClick={() => void setActive(c)} aria-label={`${c.active ? t('ctx.disable') : t('ctx.enable')}: ${c.name}`}>
                          {c.active ? t('ctx.disable') : t('ctx.enable')}
                        </button>
                        <button type="button" class="button button-small button-danger-quiet" onClick={() => void remove(c)} aria-label={`${t('common.delete')}: ${c.name}`}>
                          {t('common.delete')}
                        </button>
                      </td>
                    </tr>
                    {open?.id === c.id && (
                      <tr key={`${c.id}-open`}>
                        <td colSpan={5}>{open.what === 'test' ? <TestPanel connector={c} /> : <StatsPanel id={c.id} />}</td>
                      </tr>
                    )}
                  </>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {confirm.element}
    </div>
  );
}

function AddForm({ onAdded }: { onAdded: (c: ContextConnector) => void }) {
  const [v, setV] = useState<NewConnector>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const idem = useIdempotencyKey();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { ...v, name: v.name.trim(), url: v.url.trim() };
    try {
      const c = await contextApi.create(body, idem.keyFor(body));
      idem.done();
      setV(EMPTY);
      onAdded(c);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name: string) => (error instanceof ApiError ? error.fieldError(name) : undefined);
  const field = (name: keyof NewConnector, label: string, hint: string, type: 'text' | 'url' | 'number') => {
    const err = fieldError(name);
    return (
      <div class="field">
        <label for={`ctx-${name}`}>{label}</label>
        <input
          id={`ctx-${name}`}
          name={name}
          type={type as 'text' /* preact types each input type apart; the three share these attributes */}
          required={type !== 'number'}
          spellcheck={false}
          aria-invalid={err ? true : undefined}
          aria-describedby={`ctx-${name}-hint`}
          value={String(v[name])}
          onInput={(e) => {
            const raw = e.currentTarget.value;
            setV({ ...v, [name]: type === 'number' ? Number(raw) : raw });
          }}
        />
        <p id={`ctx-${name}-hint`} class={err ? 'field-error' : 'hint'}>
          {err ?? hint}
        </p>
      </div>
    );
  };
  return (
    <form onSubmit={submit} class="form" data-testid="ctx-form">
      {field('name', t('ctx.name'), t('ctx.nameHint'), 'text')}
      {field('url', t('ctx.url'), t('ctx.urlHint'), 'url')}
      {field('budget_ms', t('ctx.budget'), t('ctx.budgetHint'), 'number')}
      {field('cache_ttl_seconds', t('ctx.ttl'), t('ctx.ttlHint'), 'number')}
      <Notice kind="error" testId="ctx-form-error">
        {error ? errorMessage(error) : ''}
      </Notice>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="ctx-submit">
          {busy ? t('common.working') : t('ctx.create')}
        </button>
      </div>
    </form>
  );
}

function TestPanel({ connector }: { connector: ContextConnector }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Persona[] | null>(null);
  const [result, setResult] = useState<{ who: string; source: ContextSource } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const find = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      setFound((await customersApi.search(q.trim())).items ?? []);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const call = async (p: Persona) => {
    setBusy(true);
    setError('');
    try {
      setResult({ who: p.name || p.id, source: await contextApi.test(connector.id, p.id) });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="ctx-result" data-testid="ctx-test-panel">
      <h3>{t('ctx.testTitle', { name: connector.name })}</h3>
      <form class="cp-row" onSubmit={find}>
        <label for={`ctx-q-${connector.id}`}>{t('ctx.customer')}</label>
        <input id={`ctx-q-${connector.id}`} data-testid="ctx-customer-q" value={q} placeholder={t('ctx.customerPlaceholder')} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit" class="button button-small">{t('ctx.find')}</button>
      </form>
      {found?.length === 0 && <p class="muted">{t('ctx.noCustomer')}</p>}
      {found && found.length > 0 && (
        <ul class="cp-list">
          {found.slice(0, 8).map((p) => (
            <li key={p.id}>
              <button type="button" class="button button-small" disabled={busy} data-testid="ctx-call" onClick={() => void call(p)}>
                {t('ctx.call', { name: p.name || p.id })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <Notice kind="error">{error}</Notice>
      {result && (
        <div data-testid="ctx-test-result" data-status={result.source.status}>
          <p>
            <strong>{result.who}</strong>: {t('ctx.result', { status: tMaybe(`ctx.status.${result.source.status}`, result.source.status), ms: result.source.duration_ms })}
            {result.source.http_status ? ` · ${t('ctx.httpStatus', { code: result.source.http_status })}` : ''}
          </p>
          {result.source.error && <p class="field-error">{result.source.error}</p>}
          {result.source.items.length > 0 && <ContextItemList items={result.source.items} />}
        </div>
      )}
    </div>
  );
}

function StatsPanel({ id }: { id: string }) {
  const [st, setSt] = useState<ConnectorStats | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    contextApi.stats(id).then(setSt, (err) => setError(errorMessage(err)));
  }, [id]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!st) return <p class="muted">{t('app.loading')}</p>;
  return (
    <div class="ctx-result" data-testid="ctx-stats-panel">
      <h3>{t('ctx.statsTitle', { hours: st.window_hours })}</h3>
      <dl class="ctx-figures">
        <dt>{t('ctx.calls')}</dt>
        <dd data-testid="ctx-calls">{st.calls}</dd>
        <dt>{t('ctx.errors')}</dt>
        <dd>{st.errors}</dd>
        <dt>{t('ctx.p50')}</dt>
        <dd>{t('ctx.ms', { ms: st.p50_ms })}</dd>
        <dt>{t('ctx.p95')}</dt>
        <dd>{t('ctx.ms', { ms: st.p95_ms })}</dd>
        <dt>{t('ctx.breaker')}</dt>
        <dd>{tMaybe(`ctx.breaker.${st.breaker}`, st.breaker)}</dd>
        <dt>{t('common.created')}</dt>
        <dd>{formatDateTime(st.last_call_at)}</dd>
        {st.last_error && (
          <>
            <dt>{t('ctx.lastError')}</dt>
            <dd>{st.last_error}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
