// CallDock is mounted once by the app shell: it plays every live call's sound
// (so the call goes on while the agent reads another page) and, away from the
// call's conversation, shows a bar that leads back to it.
import { useEffect, useRef } from 'preact/hooks';
import { useNow } from '../desktop/time';
import { t } from '../i18n';
import { navigate, useLocation } from '../router';
import { stateLine, useDesk } from './CallPanel';

function Sound(props: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && el.srcObject !== props.stream) el.srcObject = props.stream;
  }, [props.stream]);
  return <audio ref={ref} autoplay data-call-audio />;
}

/** CallDock plays the calls and shows the way back to one. */
export function CallDock() {
  const desk = useDesk();
  const url = useLocation();
  const calls = desk.list().filter((c) => c.view.state !== 'ended');
  const now = useNow(1000, calls.length > 0);
  const away = calls.filter((c) => !url.pathname.startsWith(`/desktop/c/${encodeURIComponent(c.view.conversationID)}`));
  return (
    <>
      {calls.map((c) => c.view.remote[0] && <Sound key={c.view.id} stream={c.view.remote[0]} />)}
      {away.map((c) => (
        <div class="call-dock" role="region" aria-label={t('voice.onCall')} data-testid="call-dock" key={c.view.id}>
          <span role="status">{stateLine(c.view, now)}</span>
          <button type="button" class="button button-primary" data-testid={c.view.offerID ? 'call-dock-accept' : 'call-dock-back'} onClick={() => {
            const go = () => navigate(`/desktop/c/${encodeURIComponent(c.view.conversationID)}`);
            if (c.view.offerID) desk.take(c.view.id, c.view.offerID).then(go, () => go());
            else go();
          }}>
            {c.view.offerID ? t('voice.accept') : t('voice.back')}
          </button>
        </div>
      ))}
    </>
  );
}
