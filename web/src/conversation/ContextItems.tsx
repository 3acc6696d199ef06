// What the workspace's business systems know about the customer, in the
// customer panel: each system's items, or one line naming the system that did
// not answer in time ("billing is not answering") — never a wait for it.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { contextApi, type ContextItem, type ContextSource } from '../api/context';
import { t, tMaybe, formatDateTime, locale } from '../i18n';
import '../styles/context.css';

/** ContextItems loads and shows the persona's context from every connector. */
export function ContextItems({ personaId }: { personaId: string }) {
  const [sources, setSources] = useState<ContextSource[] | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    setError('');
    contextApi.forPersona(personaId).then(
      (r) => live && setSources(r.sources),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [personaId, tick]);

  return (
    <section class="cp-section" aria-labelledby="cp-systems" data-testid="context-items" aria-busy={sources === null && !error}>
      <div class="ctx-head">
        <h3 id="cp-systems">{t('ctx.panelTitle')}</h3>
        <button type="button" class="button button-small button-quiet" onClick={() => setTick((n) => n + 1)}>
          {t('ctx.refresh')}
        </button>
      </div>
      {error && <p class="cv-error" role="alert">{error}</p>}
      {sources === null && !error && <p class="cv-muted">{t('app.loading')}</p>}
      {sources?.length === 0 && <p class="cv-muted">{t('ctx.noConnectors')}</p>}
      {sources?.map((s) => <Source key={s.connector_id} source={s} />)}
    </section>
  );
}

function Source({ source: s }: { source: ContextSource }) {
  if (s.status !== 'ok' && s.status !== 'cached') {
    const line = s.status === 'bad_signature' ? t('ctx.badSignature', { name: s.name }) : t('ctx.notAnswering', { name: s.name });
    return (
      <p class="ctx-down" data-testid="context-down" data-status={s.status} title={s.error}>
        {line}
      </p>
    );
  }
  return (
    <div class="ctx-source" data-testid="context-source" data-name={s.name}>
      <h4 class="ctx-source-name">{s.name}</h4>
      {s.items.length === 0 ? <p class="cv-muted">{t('ctx.nothing')}</p> : <ContextItemList items={s.items} />}
    </div>
  );
}

/** ContextItemList shows items as a connector answered them, important ones first. */
export function ContextItemList({ items }: { items: ContextItem[] }) {
  const rank = (i: ContextItem) => (i.importance === 'high' ? 0 : i.importance === 'low' ? 2 : 1);
  const sorted = [...items].sort((a, b) => rank(a) - rank(b));
  return (
    <ul class="ctx-items">
      {sorted.map((it, i) => (
        <li key={i} class={`ctx-item${it.importance === 'high' ? ' ctx-item-high' : ''}`} data-testid="context-item" data-type={it.type}>
          <div class="ctx-item-line">
            <span class="ctx-type">{tMaybe(`ctx.type.${it.type}`, it.type)}</span>
            <strong class="ctx-title">{it.title}</strong>
            {it.status && <span class="ctx-status">{it.status}</span>}
            {it.amount && <span class="ctx-amount">{money(it.amount.value, it.amount.currency)}</span>}
          </div>
          {it.reason && <div class="ctx-reason">{it.reason}</div>}
          {(it.date || (it.fields && it.fields.length > 0)) && (
            <dl class="cp-facts">
              {it.date && (
                <>
                  <dt>{t('ctx.date')}</dt>
                  <dd>{formatDateTime(it.date)}</dd>
                </>
              )}
              {it.fields?.map((f, j) => (
                <Fragment key={j}>
                  <dt>{f.label}</dt>
                  <dd>{f.value}</dd>
                </Fragment>
              ))}
            </dl>
          )}
          {it.link && (
            <a href={it.link} target="_blank" rel="noopener noreferrer" class="small">
              {t('ctx.open')}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

function money(value: string, currency: string): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return `${value} ${currency}`;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(n);
  } catch {
    return `${value} ${currency}`;
  }
}
