// CallbackPanel lists the callbacks the signed-in agent holds and dials one
// with "Call now" (ADR 0044): her microphone, a peer connection whose offer
// carries its gathered candidates, POST /api/v1/callbacks/{id}/call, the
// server's answer; the center then dials the customer, agent first. The state
// line follows the peer connection and the callback.updated events (pure rules
// in ./callback.ts). The app shell mounts it once; it shows nothing while the
// agent holds no callback and no call of hers is showing.
//
// Test ids: callback-panel, callback-item (data-callback-id), callback-call,
// callback-state (data-phase), callback-hangup, callback-dismiss, callback-error.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, request } from '../api';
import { t, tMaybe } from '../i18n';
import { useSession } from '../session';
import type { Page } from '../types';
import { dialNext, heldAfter, idle, live, mine, upsert, type CallbackView, type DialInput, type DialState, type Held } from './callback';
import '../styles/voice.css';

const enc = encodeURIComponent;
const storeKey = 'switchboard.callbacks.held';

function loadHeld(me: string): Held[] {
  try {
    const v = JSON.parse(localStorage.getItem(`${storeKey}.${me}`) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as Held[]) : [];
  } catch {
    return [];
  }
}

/** gathered resolves once the connection's ICE gathering is complete (the server takes no trickled candidates). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function reasonText(s: DialState): string {
  const r = tMaybe(`callback.reason.${s.reason}`, s.reason);
  return s.detail ? `${r} (${s.detail})` : r;
}

function stateText(s: DialState, phone: string): string {
  switch (s.phase) {
    case 'connecting':
      return t('callback.state.connecting');
    case 'ringing':
      return t('callback.state.ringing', { phone });
    case 'connected':
      return t('callback.state.connected', { phone });
    case 'ended':
      return t('callback.state.ended', { reason: reasonText(s) });
    default:
      return '';
  }
}

/** CallbackPanel is the agent's held callbacks and her callback call. */
export function CallbackPanel() {
  const { session, realtime } = useSession();
  const me = session.user.id;
  const [held, setHeld] = useState<Held[]>(() => loadHeld(me));
  const [list, setList] = useState<CallbackView[]>([]);
  const [dial, setDial] = useState<DialState>(idle);
  const [error, setError] = useState('');
  const [remote, setRemote] = useState<MediaStream | null>(null);
  const pcRef = useRef<RTCPeerConnection | null>(null);
  const micRef = useRef<MediaStream | null>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const move = (in_: DialInput) => setDial((s) => dialNext(s, in_));

  useEffect(() => {
    localStorage.setItem(`${storeKey}.${me}`, JSON.stringify(held));
  }, [held, me]);

  useEffect(
    () =>
      realtime.subscribe((ev) => {
        setHeld((h) => heldAfter(h, ev, me));
        if (ev.type === 'callback.updated' && ev.data && typeof (ev.data as CallbackView).id === 'string') {
          const v = ev.data as CallbackView;
          setList((l) => upsert(l, v));
          move({ type: 'updated', view: v });
        }
      }),
    [realtime, me],
  );

  // The list is read again whenever the agent comes to hold another callback.
  const heldIDs = held.map((h) => h.callbackID).join(',');
  useEffect(() => {
    if (!heldIDs) return;
    let gone = false;
    request<Page<CallbackView>>('GET', '/api/v1/callbacks?state=in_progress&limit=100').then(
      (p) => !gone && setList((l) => p.items.reduce(upsert, l)),
      (e) => !gone && setError(errorMessage(e)),
    );
    return () => {
      gone = true;
    };
  }, [heldIDs]);

  useEffect(() => {
    const el = audioRef.current;
    if (el && el.srcObject !== remote) el.srcObject = remote;
  }, [remote]);

  // The media goes once the call is over (and when the panel goes).
  const release = () => {
    pcRef.current?.close();
    pcRef.current = null;
    micRef.current?.getTracks().forEach((tr) => tr.stop());
    micRef.current = null;
    setRemote(null);
  };
  useEffect(() => {
    if (dial.phase === 'ended') release();
  }, [dial.phase]);
  useEffect(() => release, []);

  const callNow = async (cb: CallbackView) => {
    if (live(dial)) return;
    setError('');
    move({ type: 'dial', callbackID: cb.id, attempts: cb.attempts?.length ?? 0 });
    try {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      micRef.current = mic;
      const pc = new RTCPeerConnection();
      pcRef.current = pc;
      mic.getAudioTracks().forEach((tr) => pc.addTrack(tr, mic));
      pc.ontrack = (e) => setRemote(e.streams[0] ?? new MediaStream([e.track]));
      pc.onconnectionstatechange = () => {
        if (pcRef.current === pc) move({ type: 'pc', state: pc.connectionState });
      };
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      if (pcRef.current !== pc) return; // hung up meanwhile
      const res = await request<{ sdp: string }>('POST', `/api/v1/callbacks/${enc(cb.id)}/call`, { body: { sdp: pc.localDescription?.sdp ?? '' } });
      if (pcRef.current !== pc) return;
      await pc.setRemoteDescription({ type: 'answer', sdp: res.sdp });
      move({ type: 'answered' });
      // The center ending the call closes DTLS (close_notify) at once; the
      // peer connection's own state would only notice the silence seconds later.
      const dtls = pc.getSenders()[0]?.transport;
      if (dtls) {
        dtls.onstatechange = () => {
          if (pcRef.current === pc && (dtls.state === 'closed' || dtls.state === 'failed')) move({ type: 'pc', state: 'closed' });
        };
      }
    } catch (e) {
      move({ type: 'failed', detail: errorMessage(e) });
    }
  };

  const hangup = async (id: string) => {
    const wasLive = live(dial);
    move({ type: 'hangup' });
    if (!wasLive) return;
    try {
      await request('POST', `/api/v1/callbacks/${enc(id)}/call/hangup`);
    } catch (e) {
      // The media is gone here either way; the server's word on why it could not end the call is shown.
      setError(errorMessage(e));
    }
  };

  const items = mine(list, held);
  const calling = dial.phase !== 'idle' ? list.find((c) => c.id === dial.callbackID) : undefined;
  if (items.length === 0 && !calling && dial.phase === 'idle') return null;

  return (
    <section class="callback-panel" aria-labelledby="callback-panel-title" data-testid="callback-panel">
      <h2 id="callback-panel-title">{t('callback.title')}</h2>
      {error && (
        <p class="form-error" role="alert" data-testid="callback-error">
          {error}
        </p>
      )}
      {dial.phase !== 'idle' && (
        <div class="callback-call">
          <p role="status" aria-live="polite" data-testid="callback-state" data-phase={dial.phase} data-reason={dial.reason}>
            {stateText(dial, calling?.phone ?? '')}
          </p>
          {live(dial) ? (
            <button type="button" class="button button-danger" data-testid="callback-hangup" onClick={() => void hangup(dial.callbackID)}>
              {t('callback.hangup')}
            </button>
          ) : (
            <button type="button" class="button" data-testid="callback-dismiss" onClick={() => move({ type: 'reset' })}>
              {t('callback.dismiss')}
            </button>
          )}
          {remote && <audio ref={audioRef} autoplay data-callback-audio />}
        </div>
      )}
      {items.length === 0 ? (
        <p>{t('callback.empty')}</p>
      ) : (
        <ul class="callback-list">
          {items.map(({ cb, held: h }) => {
            const last = cb.attempts?.[cb.attempts.length - 1];
            return (
              <li key={cb.id} data-testid="callback-item" data-callback-id={cb.id}>
                <dl>
                  <dt>{t('callback.phone')}</dt>
                  <dd>
                    <a href={`tel:${cb.phone}`}>{cb.phone}</a>
                  </dd>
                  {h.reason && (
                    <>
                      <dt>{t('callback.reason')}</dt>
                      <dd>{h.reason}</dd>
                    </>
                  )}
                </dl>
                <p>
                  {t('callback.attempts', { count: cb.attempts?.length ?? 0 })}
                  {last && <> · {t('callback.lastOutcome', { outcome: tMaybe(`callback.reason.${last.outcome}`, last.outcome) })}</>}
                </p>
                <button
                  type="button"
                  class="button button-primary"
                  data-testid="callback-call"
                  aria-label={t('callback.callNowLabel', { phone: cb.phone })}
                  disabled={live(dial)}
                  onClick={() => void callNow(cb)}
                >
                  {t('callback.callNow')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
