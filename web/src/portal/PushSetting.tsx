// Browser notifications (Web Push): registers /portal-sw.js, subscribes with
// the center's VAPID key and hands the subscription to this business. Hidden
// where the browser cannot do it or the center sends no Web Push.
import { useEffect, useState } from 'preact/hooks';
import { type PushSubscriptionBody, portalApi } from '../api/portal';
import { errorText, t } from './i18n';
import { vapidKey } from './logic';

type State = 'off' | 'busy' | 'on' | 'denied' | { error: string };

const SCOPE = '/portal';
const remembered = (tenant: string) => `sb_portal_push:${tenant}`;

/** pushSupported tells whether this browser can receive Web Push here. */
export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window && window.isSecureContext;
}

/** PushSetting offers to enable browser notifications from one business on this device. */
export function PushSetting({ tenant, business }: { tenant: string; business: string }) {
  const supported = pushSupported();
  const [state, setState] = useState<State>('off');
  // The center's VAPID key; empty when it does not send Web Push.
  const [key, setKey] = useState('');

  useEffect(() => {
    if (supported) portalApi.vapidKey().then((k) => setKey(k.public_key ?? ''), () => setKey(''));
  }, []);

  // On if this device's subscription was already given to this business.
  useEffect(() => {
    if (!supported) return;
    if (Notification.permission === 'denied') return setState('denied');
    navigator.serviceWorker
      .getRegistration(SCOPE)
      .then((reg) => reg?.pushManager.getSubscription())
      .then((sub) => {
        if (sub && Notification.permission === 'granted' && localStorage.getItem(remembered(tenant)) === sub.endpoint) setState('on');
      })
      .catch(() => undefined);
  }, [tenant]);

  if (!supported || !key) return null;

  const enable = async () => {
    setState('busy');
    try {
      if ((await Notification.requestPermission()) !== 'granted') return setState('denied');
      const reg = await activeRegistration();
      let sub = await reg.pushManager.getSubscription();
      sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidKey(key) });
      await portalApi.subscribePush(tenant, sub.toJSON() as PushSubscriptionBody);
      localStorage.setItem(remembered(tenant), sub.endpoint);
      setState('on');
    } catch (err) {
      setState({ error: errorText(err) });
    }
  };

  return (
    <section class="card" aria-labelledby="push-title" data-testid="push">
      <h2 id="push-title">{t('prefs.push')}</h2>
      {state === 'on' ? (
        <p class="alert alert-ok" role="status" data-testid="push-on">
          {t('prefs.pushOn')}
        </p>
      ) : state === 'denied' ? (
        <p class="alert" role="status">
          {t('prefs.pushDenied')}
        </p>
      ) : (
        <>
          <p class="muted">{t('prefs.pushIntro', { business })}</p>
          {typeof state === 'object' && (
            <p class="alert alert-error" role="alert" data-testid="push-error">
              {t('prefs.pushFailed', { detail: state.error })}
            </p>
          )}
          <button type="button" class="btn btn-primary" disabled={state === 'busy'} onClick={enable} data-testid="push-enable">
            {state === 'busy' ? t('prefs.pushEnabling') : t('prefs.pushEnable')}
          </button>
        </>
      )}
    </section>
  );
}

/** activeRegistration registers the portal's service worker and waits until it is active. */
async function activeRegistration(): Promise<ServiceWorkerRegistration> {
  const reg = await navigator.serviceWorker.register('/portal-sw.js', { scope: SCOPE });
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
