// The browser's side of a call, shared by the desktop and the widget: no
// framework, no strings shown to people (each UI words the state itself).
// It speaks the signalling frames of docs/voice.md over whatever socket the
// page already has (the widget's socket, the desktop's feed). The browser always
// offers and the server always answers, so renegotiation needs no glare
// handling: one offer is out at a time and a change meanwhile re-offers after
// the answer.

/** CallState is what a call is doing, as the server says it, plus "reconnecting" (the media path broke here). */
export type CallState = 'ringing' | 'queued' | 'connecting' | 'active' | 'held' | 'transferring' | 'reconnecting' | 'ended';

/** Media is what a call carries. */
export type Media = 'audio' | 'video';

/** ICEServer is one STUN/TURN server the center hands out with a call (time-limited credentials). */
export interface ICEServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** StateFrame is the server's word on a call. */
export interface StateFrame {
  type: 'call.state';
  call_id: string;
  conversation_id?: string;
  state: Exclude<CallState, 'reconnecting'>;
  media?: Media;
  reason?: string;
  ice_servers?: ICEServer[];
  position?: number;
  /** initiator is who placed the call: an agent's call waits for the customer's "accept" (their offer). */
  initiator?: 'customer' | 'agent';
  hung_up_by?: string;
  /** offer_id is the routing offer the ringing agent accepts. */
  offer_id?: string;
  agent_name?: string;
  muted?: boolean;
}

/** CallFrame is every call frame the server sends. */
export type CallFrame =
  | StateFrame
  | { type: 'call.answer'; call_id: string; sdp: string }
  | { type: 'call.candidate'; call_id: string; candidate: RTCIceCandidateInit }
  | { type: 'call.error'; call_id?: string; code: string; detail?: string };

/** OutFrame is every call frame a browser sends. */
export type OutFrame =
  | { type: 'call.start'; media: Media }
  | { type: 'call.offer'; call_id: string; sdp: string }
  | { type: 'call.candidate'; call_id: string; candidate: RTCIceCandidateInit }
  | { type: 'call.hangup'; call_id: string };

/** isCallFrame tells whether a frame from the server belongs to calls. */
export function isCallFrame(f: unknown): f is CallFrame {
  const type = (f as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('call.');
}

/** View is what a UI draws: the state and everything about the media. */
export interface View {
  id: string;
  conversationID: string;
  state: CallState;
  media: Media;
  reason: string;
  /** hungUpBy is who ended it (customer, agent, system), when reason is hangup. */
  hungUpBy: string;
  initiator: string;
  offerID: string;
  agentName: string;
  position: number;
  /** activeSince is when the call became active here (ms since the epoch), 0 before. */
  activeSince: number;
  muted: boolean;
  camera: boolean;
  sharing: boolean;
  error: string;
  local?: MediaStream;
  /** remote holds one stream per video track the other side sends, audio in the first. */
  remote: MediaStream[];
}

/** Options tune a call to its side. */
export interface Options {
  /** send writes a frame on the page's socket; false when it is down (the frame is dropped). */
  send: (f: OutFrame) => boolean;
  /** onChange runs after every change of the view. */
  onChange: (v: View) => void;
  /**
   * mediaFrom says in which server states the browser opens its media: the
   * customer at once (the center plays queue prompts and hold music), the
   * agent only once they took the call.
   */
  mediaFrom?: ReadonlySet<string>;
  /**
   * offerFrom says in which server states the offer may be sent (the agent's
   * once she has the call). Media opened earlier — an agent's Accept opens
   * hers while the accept is on its way — makes its offer and gathers its
   * candidates at once and sends them when the state allows: the leg's set-up
   * overlaps the accept. Unset: at once.
   */
  offerFrom?: ReadonlySet<string>;
  /** getUserMedia is the browser's, replaceable for tests. */
  getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream>;
}

/** AgentMedia opens the media once the agent has the call. */
export const AgentMedia: ReadonlySet<string> = new Set(['connecting', 'active', 'held']);

/** RECONNECT_AFTER_MS is how long a "disconnected" ICE state may last before an ICE restart. */
const RECONNECT_AFTER_MS = 3_000;

/** preferCodecs orders codecs so the wanted ones come first, keeping the rest (the server chooses). */
export function preferCodecs<T extends { mimeType: string }>(codecs: T[], wanted: string[]): T[] {
  const rank = (c: T) => {
    const i = wanted.indexOf(c.mimeType.toLowerCase());
    return i < 0 ? wanted.length : i;
  };
  return [...codecs].sort((a, b) => rank(a) - rank(b));
}

/** showing is the remote streams with a picture now (a muted track receives nothing). */
export function showing(remote: MediaStream[]): MediaStream[] {
  return remote.filter((s) => s.getVideoTracks().some((t) => !t.muted));
}

/** elapsed formats a call's running time as m:ss or h:mm:ss. */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h ? `${h}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/**
 * Call is one call of this browser. Feed it the server's frames with handle();
 * it opens the media when the state allows, offers, trickles candidates,
 * re-offers on every change (camera, screen share, ICE restart) and reports
 * its view through onChange.
 */
export class Call {
  readonly view: View;
  pc?: RTCPeerConnection;
  private iceServers: ICEServer[] = [];
  private offering = false;
  private again = false;
  private early: RTCIceCandidateInit[] = [];
  /** holding: our candidates wait for the offer, which waits for offerFrom. */
  private holding = false;
  private unsent?: string;
  private ownCandidates: RTCIceCandidateInit[] = [];
  /** ahead is the devices asked for while the call rang (warm); open() takes them. */
  private ahead?: Promise<MediaStream>;
  private camTrack?: MediaStreamTrack;
  private camTr?: RTCRtpTransceiver;
  private screenTr?: RTCRtpTransceiver;
  private dropTimer?: ReturnType<typeof setTimeout>;
  private serverState: CallState = 'ringing';
  private readonly gum: (c: MediaStreamConstraints) => Promise<MediaStream>;

  constructor(id: string, media: Media, private readonly o: Options) {
    this.view = { id, conversationID: '', state: 'ringing', media, reason: '', hungUpBy: '', initiator: '', offerID: '', agentName: '', position: 0, activeSince: 0, muted: false, camera: media === 'video', sharing: false, error: '', remote: [] };
    this.gum = o.getUserMedia ?? ((c) => navigator.mediaDevices.getUserMedia(c));
  }

  /** handle takes one frame from the server; it ignores other calls' frames. */
  handle(f: CallFrame): void {
    if (f.call_id && f.call_id !== this.view.id) return;
    const v = this.view;
    switch (f.type) {
      case 'call.state':
        if (v.state === 'ended') return;
        if (f.ice_servers?.length) this.iceServers = f.ice_servers;
        if (f.conversation_id) v.conversationID = f.conversation_id;
        if (f.media) v.media = f.media;
        v.position = f.position ?? 0;
        v.reason = f.reason ?? '';
        v.hungUpBy = f.hung_up_by ?? '';
        v.initiator = f.initiator ?? v.initiator;
        v.offerID = f.offer_id ?? '';
        v.agentName = f.agent_name || v.agentName;
        this.serverState = f.state;
        if (f.state === 'ended') return this.end(f.reason ?? '');
        if (f.state === 'active' && !v.activeSince) v.activeSince = Date.now();
        if (v.state !== 'reconnecting') v.state = f.state;
        if (!this.pc && (!this.o.mediaFrom || this.o.mediaFrom.has(f.state))) void this.open();
        if (this.unsent !== undefined && this.mayOffer()) this.sendOffer(this.unsent);
        break;
      case 'call.answer':
        void this.onAnswer(f.sdp);
        return;
      case 'call.candidate':
        if (this.pc?.remoteDescription) this.pc.addIceCandidate(f.candidate).catch(() => undefined);
        else this.early.push(f.candidate);
        return;
      case 'call.error':
        v.error = f.detail || f.code;
        break;
    }
    this.changed();
  }

  /** hangup ends the call from this side. */
  hangup(): void {
    if (this.view.state === 'ended') return;
    this.o.send({ type: 'call.hangup', call_id: this.view.id });
    this.end('hangup');
  }

  /** accept takes a call placed to this browser: it opens the media and offers. */
  accept(): void {
    void this.open();
  }

  /** leave ends the call here only: the server was told another way (the agent's HTTP hang-up). */
  leave(reason: string): void {
    if (!this.ended()) this.end(reason);
  }

  /** mute stops sending the microphone (the track stays, so unmuting is instant). */
  mute(on: boolean): void {
    for (const t of this.view.local?.getAudioTracks() ?? []) t.enabled = !on;
    this.view.muted = on;
    this.changed();
  }

  /** setCamera turns the camera on or off; turning it on in an audio call adds video (a new offer). */
  async setCamera(on: boolean, deviceId?: string): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    try {
      if (!on) {
        this.camTrack?.stop();
        this.camTrack && this.view.local?.removeTrack(this.camTrack);
        this.camTrack = undefined;
        await this.camTr?.sender.replaceTrack(null);
      } else {
        const track = (await this.gum({ video: deviceId ? { deviceId: { exact: deviceId } } : true })).getVideoTracks()[0];
        if (!track) return;
        this.camTrack?.stop();
        if (this.camTrack) this.view.local?.removeTrack(this.camTrack);
        this.camTrack = track;
        this.view.local?.addTrack(track);
        const tr = this.camTr;
        await tr?.sender.replaceTrack(track);
        // A section that only received (an audio call) must now send: a new offer.
        if (tr && tr.direction !== 'sendrecv') tr.direction = 'sendrecv';
      }
      this.view.camera = on;
    } catch (err) {
      this.view.error = String((err as Error).message ?? err);
    }
    this.changed();
  }

  /** share starts or stops sending the screen (getDisplayMedia) in the screen's video section: a new offer. */
  async share(on: boolean): Promise<void> {
    const tr = this.screenTr;
    if (!tr || on === this.view.sharing) return;
    try {
      if (on) {
        const track = (await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0];
        if (!track) return;
        track.addEventListener('ended', () => void this.share(false)); // the browser's own "Stop sharing"
        await tr.sender.replaceTrack(track);
        tr.direction = 'sendrecv'; // negotiationneeded: the new offer
      } else {
        tr.sender.track?.stop();
        await tr.sender.replaceTrack(null);
        tr.direction = 'recvonly';
      }
      this.view.sharing = on;
    } catch (err) {
      this.view.error = String((err as Error).message ?? err);
    }
    this.changed();
  }

  /** useDevice switches the microphone or the camera without a new offer (replaceTrack). */
  async useDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    if (kind === 'videoinput') {
      if (this.view.camera) await this.setCamera(true, deviceId);
      return;
    }
    const pc = this.pc;
    const local = this.view.local;
    if (!pc || !local) return;
    try {
      const track = (await this.gum({ audio: { deviceId: { exact: deviceId } } })).getAudioTracks()[0];
      if (!track) return;
      track.enabled = !this.view.muted;
      const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
      await sender?.replaceTrack(track);
      for (const old of local.getAudioTracks()) {
        old.stop();
        local.removeTrack(old);
      }
      local.addTrack(track);
    } catch (err) {
      this.view.error = String((err as Error).message ?? err);
    }
    this.changed();
  }

  // --- media ---------------------------------------------------------------

  private async open(): Promise<void> {
    if (this.pc || this.view.state === 'ended') return;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers as RTCIceServer[] });
    this.pc = pc;
    pc.onicecandidate = (e) => {
      if (!e.candidate) return;
      if (this.holding) this.ownCandidates.push(e.candidate.toJSON());
      else this.o.send({ type: 'call.candidate', call_id: this.view.id, candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => this.addRemote(e.track, e.streams[0]);
    pc.onconnectionstatechange = () => this.onConnection();
    pc.onnegotiationneeded = () => void this.offer();
    try {
      const ahead = this.ahead;
      this.ahead = undefined;
      const local = await (ahead ?? this.gum({ audio: true, video: this.view.media === 'video' }));
      if (this.ended()) {
        for (const t of local.getTracks()) t.stop();
        return;
      }
      this.view.local = local;
      const mic = local.getAudioTracks()[0];
      if (mic) mic.enabled = !this.view.muted;
      const audio = pc.addTransceiver(mic ?? 'audio', { direction: 'sendrecv', streams: [local] });
      // G.711 end to end (no transcoding towards SIP): PCMU, then PCMA.
      this.prefer(audio, 'audio', ['audio/pcmu', 'audio/pcma']);
      this.camTrack = local.getVideoTracks()[0];
    } catch (err) {
      this.view.error = String((err as Error).message ?? err);
      // The call goes on without our media: we still hear and see the other side.
      pc.addTransceiver('audio', { direction: 'recvonly' });
    }
    // Every offer carries two video sections, even in an audio call: the
    // camera's and the screen's, each receiving at least, because only the
    // browser offers — the center can forward the other side's camera or
    // screen only into a section this side already opened.
    const streams = this.view.local ? [this.view.local] : [];
    this.camTr = pc.addTransceiver(this.camTrack ?? 'video', { direction: this.camTrack ? 'sendrecv' : 'recvonly', streams });
    this.screenTr = pc.addTransceiver('video', { direction: 'recvonly' });
    for (const tr of [this.camTr, this.screenTr]) this.prefer(tr, 'video', ['video/vp8', 'video/h264']);
    this.changed();
  }

  private prefer(tr: RTCRtpTransceiver, kind: 'audio' | 'video', wanted: string[]): void {
    const caps = RTCRtpReceiver.getCapabilities?.(kind);
    if (!caps || !tr.setCodecPreferences) return;
    try {
      tr.setCodecPreferences(preferCodecs(caps.codecs, wanted));
    } catch {
      // an engine without these codecs offers its own; the server says no if it must
    }
  }

  private async offer(restart = false): Promise<void> {
    const pc = this.pc;
    if (!pc || this.view.state === 'ended') return;
    if (this.offering) {
      this.again = true;
      return;
    }
    this.offering = true;
    try {
      this.holding = this.holding || !this.mayOffer();
      const offer = await pc.createOffer({ iceRestart: restart });
      await pc.setLocalDescription(offer);
      const sdp = pc.localDescription?.sdp ?? offer.sdp ?? '';
      if (this.mayOffer()) this.sendOffer(sdp);
      else this.unsent = sdp; // sent by handle() once the state allows
    } catch (err) {
      this.offering = false;
      this.view.error = String((err as Error).message ?? err);
      this.changed();
    }
  }

  private mayOffer(): boolean {
    return !this.o.offerFrom || this.o.offerFrom.has(this.serverState);
  }

  /** sendOffer sends the offer, then the candidates gathered while it waited. */
  private sendOffer(sdp: string): void {
    this.unsent = undefined;
    this.holding = false;
    this.o.send({ type: 'call.offer', call_id: this.view.id, sdp });
    for (const c of this.ownCandidates.splice(0)) this.o.send({ type: 'call.candidate', call_id: this.view.id, candidate: c });
  }

  /**
   * warm asks for the devices while the call rings, so that accepting it
   * does not wait for them (a browser's first getUserMedia takes hundreds of
   * milliseconds): the microphone is open, not sent, until accept or release.
   */
  warm(): void {
    if (this.ahead || this.pc || this.ended()) return;
    this.ahead = this.gum({ audio: true, video: this.view.media === 'video' });
    this.ahead.catch(() => undefined);
  }

  /** dropAhead stops devices asked for ahead and not taken. */
  private dropAhead(): void {
    this.ahead?.then((s) => s.getTracks().forEach((t) => t.stop()), () => undefined);
    this.ahead = undefined;
  }

  /** release drops media opened ahead of the server's word (an accept that failed, an offer that lapsed); the call's state stays. */
  release(): void {
    this.dropAhead();
    for (const t of this.view.local?.getTracks() ?? []) t.stop();
    this.pc?.close();
    this.pc = undefined;
    this.view.local = undefined;
    this.offering = this.again = this.holding = false;
    this.unsent = undefined;
    this.ownCandidates = [];
    this.early = [];
    this.changed();
  }

  private async onAnswer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (!pc || pc.signalingState !== 'have-local-offer') return;
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp });
      for (const c of this.early.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
    } catch (err) {
      this.view.error = String((err as Error).message ?? err);
      this.changed();
    }
    this.offering = false;
    if (this.again) {
      this.again = false;
      void this.offer();
    }
  }

  private addRemote(track: MediaStreamTrack, stream?: MediaStream): void {
    const remote = this.view.remote;
    if (track.kind === 'audio') {
      const first = remote[0] ?? new MediaStream();
      if (!remote.length) remote.push(first);
      first.addTrack(track);
    } else {
      // Each video track is a tile of its own (a camera, a shared screen).
      const holder = remote.find((s) => s.getVideoTracks().length === 0) ?? new MediaStream();
      if (!remote.includes(holder)) remote.push(holder);
      holder.addTrack(track);
      track.addEventListener('ended', () => {
        holder.removeTrack(track);
        this.changed();
      });
      // A section may stay silent (the other side's camera off): show it only while media comes.
      track.addEventListener('mute', () => this.changed());
      track.addEventListener('unmute', () => this.changed());
    }
    void stream;
    this.changed();
  }

  private onConnection(): void {
    const pc = this.pc;
    if (!pc || this.view.state === 'ended') return;
    clearTimeout(this.dropTimer);
    switch (pc.connectionState) {
      case 'connected':
        if (this.view.state === 'reconnecting') this.view.state = this.serverState;
        break;
      case 'disconnected':
        // Often heals by itself; restart ICE only if it lasts.
        this.dropTimer = setTimeout(() => this.restart(), RECONNECT_AFTER_MS);
        return;
      case 'failed':
        this.restart();
        return;
      default:
        return;
    }
    this.changed();
  }

  /** restart asks for new ICE candidates on both sides: restartIce() and a new offer. */
  private restart(): void {
    const pc = this.pc;
    if (!pc || this.view.state === 'ended') return;
    this.view.state = 'reconnecting';
    pc.restartIce(); // in a stable state this fires negotiationneeded: the new offer
    if (pc.signalingState !== 'stable') {
      this.offering = false; // an offer lost with the path is not waited for
      void this.offer(true);
    }
    this.changed();
  }

  private end(reason: string): void {
    const v = this.view;
    clearTimeout(this.dropTimer);
    v.state = 'ended';
    v.reason = reason;
    this.dropAhead();
    for (const t of v.local?.getTracks() ?? []) t.stop();
    this.screenTr?.sender.track?.stop();
    this.pc?.close();
    this.changed();
  }

  private ended(): boolean {
    return this.view.state === 'ended';
  }

  private changed(): void {
    this.o.onChange(this.view);
  }
}
