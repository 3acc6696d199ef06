// Offers pop up as cards wherever the agent is: who, which channel and queue,
// why them, and how long is left. Accept with Enter or A, decline with D.
// Routing asks an agent one thing at a time; should two cards ever stand (an
// offer restored after a restart), the keys act on the first, the only card
// that shows them.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { desktopApi, type Offer } from '../api/desktop';
import { t } from '../i18n';
import { navigate } from '../router';
import { useSession } from '../session';
import type { RealtimeEvent } from '../types';
import { OfferContext } from './OfferContext';
import { onShortcut } from './shortcuts';
import { chime, isMuted, setMuted } from './sound';
import { useNow } from './time';
import { useDesk } from '../voice/CallPanel';

/** offerFromEvent reads a routing.offered event meant for agentId. */
export function offerFromEvent(ev: RealtimeEvent, agentId: string): Offer | null {
  const d = ev.data as Record<string, unknown> | undefined;
  if (ev.type !== 'routing.offered' || !d || d.agent_id !== agentId || typeof d.offer_id !== 'string') return null;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  return {
    id: s('offer_id'), work_id: s('work_id'), conversation_id: s('conversation_id'), queue_id: s('queue_id'),
    queue_name: s('queue_name'), channel: s('channel'), kind: s('kind'), reason: s('reason'),
    expires_at: s('expires_at'), created_at: ev.at,
  };
}

/** offersAfter is the stack of offers once the feed's event ev has been applied. */
export function offersAfter(os: Offer[], ev: RealtimeEvent, agentId: string): Offer[] {
  const o = offerFromEvent(ev, agentId);
  if (o) return os.some((x) => x.id === o.id) ? os : [...os, o];
  const d = ev.data as { offer_id?: string; work_id?: string } | undefined;
  if (!d) return os;
  if (ev.type === 'routing.offer_expired' || ev.type === 'routing.offer_withdrawn') {
    return os.filter((x) => x.id !== d.offer_id);
  }
  if (ev.type === 'routing.assigned') {
    return os.filter((x) => !(x.id === d.offer_id || (!!d.work_id && x.work_id === d.work_id)));
  }
  return os;
}

/** Offers is the stack of offer cards; the app shell mounts it once. */
export function Offers() {
  const { session, realtime } = useSession();
  const me = session.user.id;
  const [offers, setOffers] = useState<Offer[]>([]);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [muted, setMutedState] = useState(isMuted);
  const [busy, setBusy] = useState('');
  const now = useNow(1000, offers.length > 0);
  const desk = useDesk(); // a call's offer says so
  const live = offers.filter((o) => !o.expires_at || Date.parse(o.expires_at) > now - 1000);
  const liveRef = useRef(live);
  liveRef.current = live;

  // An error outlives its offer only briefly.
  useEffect(() => {
    if (!error) return;
    const id = setTimeout(() => setError(''), 8000);
    return () => clearTimeout(id);
  }, [error]);

  const remove = useCallback((pred: (o: Offer) => boolean) => setOffers((os) => os.filter((o) => !pred(o))), []);

  // Load what is waiting now, and again whenever the feed reconnects.
  useEffect(() => {
    let prev = '';
    return realtime.watchState((s) => {
      if (s === 'connected' && prev !== 'connected') {
        realtime.snapshot(() => desktopApi.offers()).then(
          ({ value, since }) => setOffers(since.reduce((os, ev) => offersAfter(os, ev, me), value.items ?? [])),
          () => undefined,
        );
      }
      prev = s;
    });
  }, [realtime, me]);

  useEffect(
    () =>
      realtime.subscribe((ev) => {
        setOffers((os) => offersAfter(os, ev, me));
        if (offerFromEvent(ev, me)) chime();
      }),
    [realtime, me],
  );

  // The customer's name, once per conversation.
  useEffect(() => {
    for (const o of offers) {
      const id = o.conversation_id;
      if (!id || id in names) continue;
      setNames((n) => ({ ...n, [id]: '' }));
      desktopApi
        .conversation(id)
        .then(async (c) => c.persona_name || (c.persona_id ? (await desktopApi.persona(c.persona_id)).name : ''))
        .then((name) => setNames((n) => ({ ...n, [id]: name })), () => undefined);
    }
  }, [offers, names]);

  const answer = useCallback(async (o: Offer, accept: boolean) => {
    setBusy(o.id);
    setError('');
    try {
      const call = desk.list().find((c) => c.view.offerID === o.id);
      if (accept && call) await desk.own(call.view.id); // this tab runs the call's media
      if (accept) await desktopApi.acceptOffer(o.id);
      else await desktopApi.declineOffer(o.id);
      remove((x) => x.id === o.id);
      if (accept && o.conversation_id) navigate(`/desktop/c/${encodeURIComponent(o.conversation_id)}`);
    } catch (err) {
      // A 404 or 409 means the offer is gone: expired, withdrawn or answered elsewhere.
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) remove((x) => x.id === o.id);
      setError(t('offers.failed', { detail: errorMessage(err) }));
    } finally {
      setBusy('');
    }
  }, [remove, desk]);

  useEffect(
    () =>
      onShortcut((action, ev) => {
        if (action !== 'accept' && action !== 'decline') return;
        const o = liveRef.current[0];
        if (!o) return;
        ev.preventDefault();
        void answer(o, action === 'accept');
      }),
    [answer],
  );

  const toggleMute = () => {
    setMuted(!muted);
    setMutedState(!muted);
  };

  return (
    <section class="offers" aria-label={t('offers.region')} data-testid="offers">
      <div aria-live="polite" class="offers-stack">
        {live.map((o, i) => {
          const left = Math.max(0, Math.ceil((Date.parse(o.expires_at) - now) / 1000));
          const who = names[o.conversation_id];
          return (
            <article class="offer-card" key={o.id} data-testid="offer" data-offer-id={o.id} aria-labelledby={`offer-${o.id}`}>
              <h2 id={`offer-${o.id}`} class="offer-title">
                {((c) => (c ? t(`voice.incoming.${c.view.media}`) : t('offers.title', { channel: o.channel })))(desk.list().find((c) => c.view.offerID === o.id))}
              </h2>
              <dl class="offer-facts">
                <dt>{t('offers.customer')}</dt>
                <dd data-testid="offer-customer">{who || t('common.none')}</dd>
                <dt>{t('offers.queue')}</dt>
                <dd data-testid="offer-queue">{o.queue_name}</dd>
                {o.reason && (
                  <>
                    <dt>{t('offers.reason')}</dt>
                    <dd data-testid="offer-reason">{o.reason}</dd>
                  </>
                )}
              </dl>
              {o.conversation_id && <OfferContext conversationId={o.conversation_id} />}
              <p class={`offer-countdown${left <= 10 ? ' is-urgent' : ''}`} data-testid="offer-countdown">
                {left > 0 ? t('offers.expiresIn', { s: left }) : t('offers.expired')}
              </p>
              <div class="offer-actions">
                <button
                  type="button"
                  class="button button-primary"
                  data-testid="offer-accept"
                  disabled={busy === o.id}
                  aria-keyshortcuts={i === 0 ? 'Enter A' : undefined}
                  onClick={() => void answer(o, true)}
                >
                  {t('offers.accept')} {i === 0 && <kbd>{t('offers.acceptHint')}</kbd>}
                </button>
                <button
                  type="button"
                  class="button"
                  data-testid="offer-decline"
                  disabled={busy === o.id}
                  aria-keyshortcuts={i === 0 ? 'D' : undefined}
                  onClick={() => void answer(o, false)}
                >
                  {t('offers.decline')} {i === 0 && <kbd>{t('offers.declineHint')}</kbd>}
                </button>
              </div>
            </article>
          );
        })}
      </div>
      {error && (
        <p class="notice notice-error offer-error" role="alert" data-testid="offer-error">
          {error}
        </p>
      )}
      {live.length > 0 && (
        <button
          type="button"
          class="button button-small button-quiet offer-mute"
          aria-pressed={muted}
          data-testid="offer-mute"
          onClick={toggleMute}
        >
          {muted ? t('offers.unmute') : t('offers.mute')}
        </button>
      )}
    </section>
  );
}

/** hasOfferCards tells the shortcut layer whether Enter should accept an offer. */
export function hasOfferCards(): boolean {
  return document.querySelector('[data-testid="offer"]') !== null;
}
