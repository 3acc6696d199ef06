// Invitations by Web Push (ADR 0048): registers /desk-sw.js, subscribes this
// browser with the center's VAPID key and hands the subscription to the
// center, so an invitation to a swarm room shows here while the user is
// away or offline. Hidden where the browser cannot do it or the center
// sends no Web Push.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { t } from '../i18n';
import { vapidKey } from '../portal/logic';
import { swarmApi, type DeskPushSubscription } from './api';

type State = 'off' | 'busy' | 'on' | 'denied' | { error: string };

const SCOPE = '/desktop';

function supported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window && window.isSecureContext;
}

/** DeskPush offers to show invitations to swarm rooms on this device while away. */
export function DeskPush() {
  const can = supported();
  const [state, setState] = useState<State>('off');
  const [key, setKey] = useState('');
  const [subs, setSubs] = useState<DeskPushSubscription[]>([]);
  const [mine, setMine] = useState('');

  const load = useCallback(async () => {
    const res = await swarmApi.pushSubscriptions();
    setKey(res.public_key);
    setSubs(res.items);
    if (Notification.permission === 'denied') return setState('denied');
    const reg = await navigator.serviceWorker.getRegistration(SCOPE);
    const sub = await reg?.pushManager.getSubscription();
    setMine(sub?.endpoint ?? '');
    setState(sub && res.items.some((s) => s.endpoint === sub.endpoint) ? 'on' : 'off');
  }, []);
  useEffect(() => {
    if (can) load().catch(() => setKey(''));
  }, [load]);

  if (!can || !key) return null;

  const enable = async () => {
    setState('busy');
    try {
      if ((await Notification.requestPermission()) !== 'granted') return setState('denied');
      const reg = await activeRegistration();
      let sub = await reg.pushManager.getSubscription();
      sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidKey(key) });
      await swarmApi.subscribePush(sub.toJSON());
      await load();
    } catch (err) {
      setState({ error: errorMessage(err) });
    }
  };
  const disable = async () => {
    setState('busy');
    try {
      await swarmApi.unsubscribePush(mine);
      await load();
    } catch (err) {
      setState({ error: errorMessage(err) });
    }
  };
  const others = subs.filter((s) => s.endpoint !== mine).length;

  return (
    <section class="card" aria-labelledby="desk-push-title" data-testid="desk-push">
      <h2 id="desk-push-title">{t('deskPush.title')}</h2>
      <p class="muted">{t('deskPush.intro')}</p>
      {state === 'denied' && (
        <p class="alert" role="status">
          {t('deskPush.denied')}
        </p>
      )}
      {typeof state === 'object' && (
        <p class="alert alert-error" role="alert" data-testid="desk-push-error">
          {t('deskPush.failed', { detail: state.error })}
        </p>
      )}
      {state === 'on' ? (
        <>
          <p class="alert alert-ok" role="status" data-testid="desk-push-on">
            {t('deskPush.on')}
          </p>
          <button type="button" class="btn" onClick={disable} data-testid="desk-push-disable">
            {t('deskPush.off')}
          </button>
        </>
      ) : (
        state !== 'denied' && (
          <button type="button" class="btn btn-primary" disabled={state === 'busy'} onClick={enable} data-testid="desk-push-enable">
            {state === 'busy' ? t('deskPush.enabling') : t('deskPush.enable')}
          </button>
        )
      )}
      {others > 0 && <p class="muted">{t('deskPush.others', { count: String(others) })}</p>}
    </section>
  );
}

/** activeRegistration registers the desktop's service worker and waits until it is active. */
async function activeRegistration(): Promise<ServiceWorkerRegistration> {
  const reg = await navigator.serviceWorker.register('/desk-sw.js', { scope: SCOPE });
  if (reg.active) return reg;
  const worker = reg.installing ?? reg.waiting;
  await new Promise<void>((resolve, reject) => {
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      if (worker.state === 'redundant') reject(new Error('the service worker did not start'));
    });
  });
  return reg;
}
