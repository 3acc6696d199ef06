// A supervisor's monitoring of a live call from the wall (docs/voice.md,
// ADR 0045): her browser joins the call's room with a leg of its own,
// signalled on her desktop feed like an agent's. The mode (listen, whisper,
// barge) is set over HTTP and changes only the room's matrix, never the leg.
import { request } from '../api';
import type { RealtimeClient } from '../realtime';
import type { ICEServer } from './call';
import { frameOf } from './desk';

const enc = encodeURIComponent;

/** MonitorMode is how the supervisor takes part. */
export type MonitorMode = 'listen' | 'whisper' | 'barge';

interface MonitorView {
  call_id: string;
  mode: MonitorMode;
  ice_servers: ICEServer[];
}

/** monitorApi is the monitoring routes. */
export const monitorApi = {
  set: (callID: string, mode: MonitorMode) => request<MonitorView>('POST', `/api/v1/calls/${enc(callID)}/monitor`, { body: { mode } }),
  leave: (callID: string) => request<unknown>('DELETE', `/api/v1/calls/${enc(callID)}/monitor`),
};

/** Monitor is one monitored call in this tab. */
export class Monitor {
  mode: MonitorMode;
  pc?: RTCPeerConnection;
  remote?: MediaStream;
  error = '';
  ended = '';
  private local?: MediaStream;
  private early: RTCIceCandidateInit[] = [];
  private unsub: () => void;

  constructor(
    readonly callID: string,
    mode: MonitorMode,
    private readonly realtime: RealtimeClient,
    private readonly onChange: () => void,
  ) {
    this.mode = mode;
    this.unsub = realtime.subscribe((ev) => {
      const f = frameOf(ev) as { type: string; call_id?: string; sdp?: string; candidate?: RTCIceCandidateInit; state?: string; reason?: string; code?: string; detail?: string } | null;
      if (!f || f.call_id !== this.callID) return;
      if (f.type === 'call.answer' && f.sdp) void this.answer(f.sdp);
      else if (f.type === 'call.candidate' && f.candidate?.candidate) {
        if (this.pc?.remoteDescription) this.pc.addIceCandidate(f.candidate).catch(() => undefined);
        else this.early.push(f.candidate);
      } else if (f.type === 'call.monitor' && f.state === 'ended') this.close(f.reason ?? 'ended');
      else if (f.type === 'call.error') {
        this.error = f.detail ?? f.code ?? 'error';
        this.onChange();
      }
    });
  }

  /** start asks to monitor and opens the leg. */
  async start(): Promise<void> {
    const v = await monitorApi.set(this.callID, this.mode);
    const pc = new RTCPeerConnection({ iceServers: (v.ice_servers ?? []) as RTCIceServer[] });
    this.pc = pc;
    pc.onicecandidate = (e) => {
      if (e.candidate) this.realtime.send({ type: 'call.candidate', call_id: this.callID, candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => {
      this.remote = e.streams[0] ?? new MediaStream([e.track]);
      this.onChange();
    };
    try {
      // Her microphone is sent from the start; the server forwards it only
      // while she whispers or barges, so switching needs no renegotiation.
      this.local = await navigator.mediaDevices.getUserMedia({ audio: true });
      const mic = this.local.getAudioTracks()[0];
      pc.addTransceiver(mic ?? 'audio', { direction: 'sendrecv', streams: [this.local] });
    } catch (err) {
      this.error = String((err as Error).message ?? err);
      pc.addTransceiver('audio', { direction: 'recvonly' });
    }
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.realtime.send({ type: 'call.offer', call_id: this.callID, sdp: pc.localDescription?.sdp ?? offer.sdp ?? '' });
    this.onChange();
  }

  /** switch changes the mode on the same leg. */
  async switch(mode: MonitorMode): Promise<void> {
    await monitorApi.set(this.callID, mode);
    this.mode = mode;
    this.onChange();
  }

  /** leave ends her monitoring; the call goes on. */
  async leave(): Promise<void> {
    await monitorApi.leave(this.callID).catch(() => undefined);
    this.close('left');
  }

  private async answer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (!pc || pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    for (const c of this.early.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
  }

  private close(reason: string): void {
    if (this.ended) return;
    this.ended = reason;
    this.unsub();
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.pc?.close();
    this.onChange();
  }
}
