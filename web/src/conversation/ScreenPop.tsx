// The screen-pop: at most ten items from every source — the customer's
// business systems, their other conversations, notices sent lately,
// callbacks, the self-service trail, suggested articles — ranked for this
// contact, each with one line saying why. Opening an item shows its fields
// here (and tells the ranking "open"); "Insert" adds it to the reply ("use");
// "Not relevant" hides it ("dismiss"). The list comes as soon as it is
// ranked: a business system that has not answered yet is named "waiting for"
// and fills in a moment later (a second screen, when it answers or runs out
// of its budget); one that did not answer is named beside the list. It ranks
// again after each customer message (the realtime feed's message.created).
//
// Test ids: screen-pop, screen-pop-item (data-key, data-source, data-position),
// screen-pop-why, screen-pop-open, screen-pop-fields, screen-pop-insert,
// screen-pop-dismiss, screen-pop-down (data-name, data-status), screen-pop-pending (data-name);
// data-final on screen-pop once the last screen has come.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { screenPopApi, type FeedbackKind, type Screen, type ScreenItem } from '../api/screenpop';
import { insertIntoReply } from '../knowledge/events';
import { useSession } from '../session';
import { t, tMaybe, formatDateTime } from '../i18n';
import '../styles/context.css';
import '../styles/screenpop.css';

// REFRESH_MS gathers a burst of customer messages into one new ranking.
const REFRESH_MS = 400;

/** ScreenPop loads and shows the conversation's ranked items. */
export function ScreenPop({ conversationId }: { conversationId: string }) {
  const { realtime } = useSession();
  const [screen, setScreen] = useState<Screen | null>(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const stop = new AbortController();
    setError('');
    screenPopApi.pop(conversationId, undefined, (s) => setScreen(s), stop.signal).catch(
      (err) => !stop.signal.aborted && setError(errorMessage(err)),
    );
    return () => stop.abort();
  }, [conversationId, tick]);

  // Each new customer message may change the reason of the contact: rank again.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = realtime.subscribe((ev) => {
      if (ev.type !== 'message.created') return;
      const m = (ev.data as { message?: { conversation_id?: string; direction?: string } } | undefined)?.message;
      if (m?.conversation_id !== conversationId || m.direction !== 'in') return;
      clearTimeout(timer);
      timer = setTimeout(() => setTick((n) => n + 1), REFRESH_MS);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [realtime, conversationId]);

  const tell = (key: string, kind: FeedbackKind) =>
    screenPopApi.feedback(conversationId, key, kind).catch((err) => setError(errorMessage(err)));

  const toggle = (it: ScreenItem) => {
    if (open === it.key) {
      setOpen(null);
      return;
    }
    setOpen(it.key);
    tell(it.key, 'open');
  };
  const insert = (it: ScreenItem) => {
    insertIntoReply(conversationId, itemText(it));
    tell(it.key, 'use');
  };
  const dismiss = (it: ScreenItem) => {
    setDismissed((d) => new Set(d).add(it.key));
    tell(it.key, 'dismiss');
  };

  const items = screen?.items.filter((it) => !dismissed.has(it.key)) ?? [];
  const down = screen?.sources.filter((s) => s.status !== 'ok' && s.status !== 'cached' && s.status !== 'pending') ?? [];
  const pending = screen?.sources.filter((s) => s.status === 'pending') ?? [];
  return (
    <section class="cp-section sp" aria-labelledby="sp-title" data-testid="screen-pop"
      aria-busy={screen === null && !error} data-final={screen?.final ? 'true' : 'false'}>
      <div class="ctx-head">
        <h3 id="sp-title">{t('sp.title')}</h3>
        <button type="button" class="button button-small button-quiet" onClick={() => setTick((n) => n + 1)}>
          {t('sp.refresh')}
        </button>
      </div>
      {error && <p class="cv-error" role="alert">{error}</p>}
      {screen === null && !error && <p class="cv-muted">{t('app.loading')}</p>}
      {screen && items.length === 0 && <p class="cv-muted">{t('sp.empty')}</p>}
      <ol class="ctx-items sp-items">
        {items.map((it) => (
          <li key={it.key} class="ctx-item sp-item" data-testid="screen-pop-item" data-key={it.key} data-source={it.source} data-position={it.position}>
            <div class="ctx-item-line">
              <span class="ctx-type">{tMaybe(`sp.source.${it.source}`, it.source)}</span>
              <button type="button" class="sp-title" aria-expanded={open === it.key} data-testid="screen-pop-open" onClick={() => toggle(it)}>
                {it.title}
              </button>
              {it.status && <span class="ctx-status">{it.status}</span>}
              {it.amount && <span class="ctx-amount">{it.amount}</span>}
            </div>
            <div class="sp-why" data-testid="screen-pop-why">{it.why}</div>
            {open === it.key && <Fields item={it} />}
            <div class="sp-actions">
              <button type="button" class="button button-small button-quiet" data-testid="screen-pop-insert" onClick={() => insert(it)}>
                {t('sp.insert')}
              </button>
              <button type="button" class="button button-small button-quiet" data-testid="screen-pop-dismiss" onClick={() => dismiss(it)}>
                {t('sp.dismiss')}
              </button>
            </div>
          </li>
        ))}
      </ol>
      {down.map((s) => (
        <p key={s.name} class="ctx-down" data-testid="screen-pop-down" data-name={s.name} data-status={s.status}>
          {s.status === 'bad_signature' ? t('sp.badSignature', { name: s.name }) : t('sp.notAnswering', { name: s.name })}
        </p>
      ))}
      {pending.map((s) => (
        <p key={s.name} class="cv-muted" data-testid="screen-pop-pending" data-name={s.name}>
          {t('sp.pending', { name: s.name })}
        </p>
      ))}
    </section>
  );
}

function Fields({ item: it }: { item: ScreenItem }) {
  const fields = Object.entries(it.fields);
  return (
    <dl class="cp-facts" data-testid="screen-pop-fields">
      {it.at && (
        <>
          <dt>{t('sp.at')}</dt>
          <dd>{formatDateTime(it.at)}</dd>
        </>
      )}
      {it.due && (
        <>
          <dt>{t('sp.due')}</dt>
          <dd>{formatDateTime(it.due)}</dd>
        </>
      )}
      {fields.map(([label, value]) => (
        <Fragment key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
      {it.link && (
        <>
          <dt>{t('sp.link')}</dt>
          <dd>
            <a href={it.link} target={it.link.startsWith('/') ? undefined : '_blank'} rel="noopener noreferrer">
              {t('sp.openLink')}
            </a>
          </dd>
        </>
      )}
    </dl>
  );
}

/** itemText is what "Insert" adds to the reply: the title and the item's facts. */
function itemText(it: ScreenItem): string {
  const parts = [it.title];
  if (it.status) parts.push(it.status);
  if (it.amount) parts.push(it.amount);
  for (const [label, value] of Object.entries(it.fields)) parts.push(`${label}: ${value}`);
  return parts.join(' · ');
}
