// CallPanel is a conversation's call on the desktop: buttons to start a voice
// or video call, and while one runs its state line, video tiles and controls
// (mute, hold, camera, screen share, transfer, hang up, devices). The call's
// media lives in the tab's DeskCalls, so leaving the conversation does not end
// it; the shell's CallDock plays its sound and leads back.
//
// Test ids: call-panel, call-start-audio, call-start-video, call-state (data-state),
// call-timer, call-tiles, call-tile-remote, call-tile-self, call-mute, call-hold,
// call-camera, call-share, call-transfer, call-transfer-agent, call-transfer-queue,
// call-transfer-submit, call-hangup, call-dismiss, call-devices, call-mic, call-cam, call-speaker, call-error.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import type { Queue } from '../api/conversation';
import { useNow } from '../desktop/time';
import { t, tMaybe } from '../i18n';
import { useSession } from '../session';
import type { User } from '../types';
import { elapsed, showing, type Call, type Media, type View } from './call';
import { callApi, deskCalls, type DeskCalls } from './desk';
import '../styles/voice.css';

/** useDesk is the tab's calls, re-rendering on every change. */
export function useDesk(): DeskCalls {
  const { realtime } = useSession();
  const desk = deskCalls(realtime);
  const [, bump] = useState(0);
  useEffect(() => desk.subscribe(() => bump((n) => n + 1)), [desk]);
  return desk;
}

/** reasonText words why a call ended (docs/voice.md's reasons; an unknown one as it came). */
export function reasonText(v: View): string {
  return tMaybe(`voice.reason.${v.reason}${v.hungUpBy ? `.${v.hungUpBy}` : ''}`, '') || tMaybe(`voice.reason.${v.reason}`, v.reason);
}

/** stateLine words a call's state for the agent. */
export function stateLine(v: View, now: number): string {
  const time = elapsed(v.activeSince ? now - v.activeSince : 0);
  switch (v.state) {
    case 'queued':
      return v.position ? t('voice.state.queued', { position: v.position }) : t('voice.state.queuedNoPosition');
    case 'active':
      return t('voice.state.active', { time });
    case 'held':
      return t('voice.state.held', { time });
    case 'ended':
      return v.reason ? t('voice.state.endedReason', { reason: reasonText(v) }) : t('voice.state.ended');
    case 'ringing':
      return v.offerID ? t(`voice.incoming.${v.media}`) : t('voice.state.ringing');
    default:
      return t(`voice.state.${v.state}`);
  }
}

/** Tile shows one stream in a video element (sound plays in the dock, so tiles are muted). */
function Tile(props: { stream: MediaStream; label: string; testid: string; mirror?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && el.srcObject !== props.stream) el.srcObject = props.stream;
  }, [props.stream]);
  return (
    <figure class={`call-tile${props.mirror ? ' call-tile-self' : ''}`} data-testid={props.testid}>
      <video ref={ref} autoplay playsInline muted aria-label={props.label} />
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}

/** Devices lets the agent pick the microphone, camera and speaker. */
function Devices(props: { call: Call }) {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    const load = () => navigator.mediaDevices?.enumerateDevices().then(setDevices, () => undefined);
    load();
    navigator.mediaDevices?.addEventListener('devicechange', load);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', load);
  }, [props.call.view.local]);
  const of = (kind: MediaDeviceKind) => devices.filter((d) => d.kind === kind && d.deviceId);
  const pick = (kind: MediaDeviceKind, label: string, testid: string, onPick: (id: string) => void) => {
    const list = of(kind);
    if (!list.length) return null;
    return (
      <label class="call-device">
        {label}
        <select data-testid={testid} onChange={(e) => onPick((e.target as HTMLSelectElement).value)}>
          {list.map((d, i) => <option key={d.deviceId} value={d.deviceId}>{d.label || `${t('voice.deviceDefault')} ${i + 1}`}</option>)}
        </select>
      </label>
    );
  };
  return (
    <details class="call-devices" data-testid="call-devices">
      <summary>{t('voice.devices')}</summary>
      {pick('audioinput', t('voice.microphone'), 'call-mic', (id) => void props.call.useDevice('audioinput', id))}
      {pick('videoinput', t('voice.camera'), 'call-cam', (id) => void props.call.useDevice('videoinput', id))}
      {'setSinkId' in HTMLMediaElement.prototype && pick('audiooutput', t('voice.speaker'), 'call-speaker', (id) => {
        for (const el of document.querySelectorAll<HTMLAudioElement>('audio[data-call-audio]')) {
          (el as HTMLAudioElement & { setSinkId(id: string): Promise<void> }).setSinkId(id).catch(() => undefined);
        }
      })}
    </details>
  );
}

/** Transfer picks an agent or a queue and hands the call over. */
function Transfer(props: { call: Call; users: User[]; queues: Queue[]; self: string; onError: (s: string) => void; onDone: () => void }) {
  const [agent, setAgent] = useState('');
  const [queue, setQueue] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!agent && !queue) return props.onError(t('voice.transferPick'));
    setBusy(true);
    try {
      await callApi.transfer(props.call.view.id, agent ? { agent_id: agent } : { queue_id: queue });
      props.onDone();
    } catch (err) {
      props.onError(t('voice.failed', { detail: errorMessage(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="call-transfer" onSubmit={submit} aria-label={t('voice.transferTo')}>
      <label>
        {t('voice.transferAgent')}
        <select data-testid="call-transfer-agent" value={agent} onChange={(e) => { setAgent((e.target as HTMLSelectElement).value); setQueue(''); }}>
          <option value="">—</option>
          {props.users.filter((u) => u.id !== props.self && !u.disabled).map((u) => <option key={u.id} value={u.id}>{u.name || u.email}</option>)}
        </select>
      </label>
      <label>
        {t('voice.transferQueue')}
        <select data-testid="call-transfer-queue" value={queue} onChange={(e) => { setQueue((e.target as HTMLSelectElement).value); setAgent(''); }}>
          <option value="">—</option>
          {props.queues.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}
        </select>
      </label>
      <button type="submit" class="button button-primary" data-testid="call-transfer-submit" disabled={busy}>{t('voice.transferSubmit')}</button>
    </form>
  );
}

/**
 * CallPanel shows the call of conversation id, or the buttons to start one
 * unless closed (a resolved conversation, or one whose customer has no widget to answer in).
 */
export function CallPanel(props: { id: string; users: User[]; queues: Queue[]; closed?: boolean }) {
  const { session } = useSession();
  const desk = useDesk();
  const call = desk.forConversation(props.id);
  const v = call?.view;
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const now = useNow(1000, v?.state === 'active' || v?.state === 'held');

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(t('voice.failed', { detail: errorMessage(err) }));
    } finally {
      setBusy(false);
    }
  };
  const start = (media: Media) => run(() => callApi.start(props.id, media));

  if (!call || !v) {
    if (props.closed) return null;
    return (
      <section class="call-panel call-idle" data-testid="call-panel" aria-label={t('voice.title')}>
        <button type="button" class="button" data-testid="call-start-audio" disabled={busy} onClick={() => void start('audio')}>{t('voice.startAudio')}</button>
        <button type="button" class="button" data-testid="call-start-video" disabled={busy} onClick={() => void start('video')}>{t('voice.startVideo')}</button>
        {error && <p class="cv-error" role="alert" data-testid="call-error">{error}</p>}
      </section>
    );
  }

  const ended = v.state === 'ended';
  const remote = showing(v.remote);
  const problem = error || (v.error ? t('voice.mediaError', { detail: v.error }) : '');
  return (
    <section class={`call-panel call-${v.state}`} data-testid="call-panel" aria-label={t('voice.title')}>
      <p class="call-state" role="status" aria-live="polite" data-testid="call-state" data-state={v.state} data-reason={v.reason}>
        {stateLine(v, now)}
        {v.activeSince > 0 && !ended && <span class="visually-hidden" data-testid="call-timer">{elapsed(now - v.activeSince)}</span>}
      </p>
      {v.state === 'ringing' && v.offerID && (
        <button type="button" class="button button-primary" data-testid="call-accept" disabled={busy}
          onClick={() => void run(() => desk.take(v.id, v.offerID))}>{t('voice.accept')}</button>
      )}
      {!ended && (remote.length > 0 || v.camera) && (
        <div class="call-tiles" data-testid="call-tiles">
          {remote.map((s, i) => <Tile key={s.id} stream={s} label={i === 0 ? t('voice.remoteTile') : t('voice.screenTile')} testid="call-tile-remote" />)}
          {v.local && v.camera && <Tile stream={v.local} label={t('voice.selfTile')} testid="call-tile-self" mirror />}
        </div>
      )}
      {!ended && !v.offerID && (
        <div class="call-controls" role="toolbar" aria-label={t('voice.title')}>
          <button type="button" class="button" data-testid="call-mute" aria-pressed={v.muted}
            onClick={() => { const on = !v.muted; call.mute(on); void run(() => callApi.act(v.id, on ? 'mute' : 'unmute')); }}>
            {v.muted ? t('voice.unmute') : t('voice.mute')}
          </button>
          <button type="button" class="button" data-testid="call-hold" aria-pressed={v.state === 'held'} disabled={busy || (v.state !== 'active' && v.state !== 'held')}
            onClick={() => void run(() => callApi.act(v.id, v.state === 'held' ? 'resume' : 'hold'))}>
            {v.state === 'held' ? t('voice.resume') : t('voice.hold')}
          </button>
          <button type="button" class="button" data-testid="call-camera" aria-pressed={v.camera} disabled={!call.pc}
            onClick={() => void call.setCamera(!v.camera)}>
            {v.camera ? t('voice.cameraOff') : t('voice.cameraOn')}
          </button>
          {'getDisplayMedia' in (navigator.mediaDevices ?? {}) && (
            <button type="button" class="button" data-testid="call-share" aria-pressed={v.sharing} disabled={!call.pc}
              onClick={() => void call.share(!v.sharing)}>
              {v.sharing ? t('voice.shareOff') : t('voice.shareOn')}
            </button>
          )}
          <button type="button" class="button" data-testid="call-transfer" aria-expanded={transferring} onClick={() => setTransferring(!transferring)}>
            {t('voice.transfer')}
          </button>
          <button type="button" class="button button-danger" data-testid="call-hangup" disabled={busy}
            onClick={() => void run(async () => { await callApi.act(v.id, 'hangup'); call.leave('hangup'); })}>
            {t('voice.hangup')}
          </button>
        </div>
      )}
      {!ended && transferring && (
        <Transfer call={call} users={props.users} queues={props.queues} self={session.user.id}
          onError={setError} onDone={() => setTransferring(false)} />
      )}
      {!ended && !v.offerID && <Devices call={call} />}
      {ended && (
        <button type="button" class="button button-quiet" data-testid="call-dismiss" onClick={() => desk.forget(v.id)}>{t('voice.dismiss')}</button>
      )}
      {problem && <p class="cv-error" role="alert" data-testid="call-error">{problem}</p>}
    </section>
  );
}
