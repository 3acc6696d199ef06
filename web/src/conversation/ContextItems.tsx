// A business system's items as it answered them, on the admin's test panel
// of a connector (Admin → Context connectors). Agents see these items ranked
// among every source's in the screen-pop (ScreenPop.tsx).
import { Fragment } from 'preact';
import { type ContextItem } from '../api/context';
import { t, tMaybe, formatDateTime, locale } from '../i18n';
import '../styles/context.css';

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
