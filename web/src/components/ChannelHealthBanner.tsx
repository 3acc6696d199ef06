// Channel health where people work: a banner on the desktop when a channel
// cannot send (no relay) or its last sends failed, so agents know their
// replies are not leaving before a customer says so; and the per-channel
// list on Admin → Channels. Loaded on open and again when a delivery changes
// (the realtime feed's message.updated), never on a timer.
//
// Test ids: channel-health-banner, channel-health-item (data-channel,
// data-state), channel-health (the admin list).
import { useEffect, useState } from 'preact/hooks';
import { deliveryApi, type ChannelHealth } from '../api/delivery';
import { formatDateTime, t, tMaybe } from '../i18n';
import { newest } from '../newest';
import { useSession } from '../session';

/** useChannelHealth loads the tenant's channel health and follows delivery updates. */
export function useChannelHealth(): ChannelHealth[] {
  const { realtime } = useSession();
  const [items, setItems] = useState<ChannelHealth[]>([]);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ticket = newest(); // a reload on receipts may overtake the one before it
    const load = () => {
      const current = ticket();
      return deliveryApi.health().then((r) => live && current() && setItems(r.items ?? []), () => undefined);
    };
    void load();
    const unsub = realtime.subscribe((ev) => {
      if (ev.type !== 'message.updated') return;
      // A burst of receipts is one reload.
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 500);
    });
    return () => {
      live = false;
      clearTimeout(timer);
      unsub();
    };
  }, [realtime]);
  return items;
}

function channelName(ch: string): string {
  return tMaybe(`admin.channels.kind.${ch}`, ch);
}

/** healthLine says one channel's trouble in a sentence. */
export function healthLine(h: ChannelHealth): string {
  const channel = channelName(h.channel);
  if (h.state === 'not_configured') return t('health.notConfigured', { channel });
  if (h.state === 'failing') return t('health.failing', { channel, n: h.failures, when: formatDateTime(h.last_failure_at) });
  if (h.state === 'warning') return t('health.warning', { channel, when: formatDateTime(h.last_failure_at) });
  if (h.state === 'ok') return t('health.ok', { channel, when: formatDateTime(h.last_success_at) });
  return t('health.unknown', { channel });
}

/** ChannelHealthBanner warns on the desktop about channels that cannot send. */
export function ChannelHealthBanner() {
  const bad = useChannelHealth().filter((h) => h.state === 'failing' || h.state === 'not_configured');
  if (!bad.length) return null;
  return (
    <div class="notice notice-error health-banner" role="alert" data-testid="channel-health-banner">
      <ul>
        {bad.map((h) => (
          <li key={h.channel} data-testid="channel-health-item" data-channel={h.channel} data-state={h.state}>
            <strong>{healthLine(h)}</strong> {h.detail && <span class="small">{t('health.why', { detail: h.detail })}</span>}{' '}
            <span class="small">{t('health.kept')}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** ChannelHealthList is every used channel's health, for Admin → Channels. */
export function ChannelHealthList() {
  const items = useChannelHealth();
  if (!items.length) return null;
  return (
    <section class="panel" aria-labelledby="channel-health-title" data-testid="channel-health">
      <h2 id="channel-health-title">{t('health.title')}</h2>
      <ul>
        {items.map((h) => (
          <li key={h.channel} data-testid="channel-health-item" data-channel={h.channel} data-state={h.state}>
            <span class={`badge badge-${h.state === 'ok' ? 'succeeded' : h.state === 'unknown' ? 'muted' : h.state === 'warning' ? 'pending' : 'failed'}`}>
              {t(`health.state.${h.state}`)}
            </span>{' '}
            {healthLine(h)} {h.detail && <span class="small muted">{t('health.why', { detail: h.detail })}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
