// CallBar is the visitor's calls in the chat: "Call" and "Video call" buttons,
// and during a call its state line, the agent's video, and mute, camera and
// hang-up buttons. The call itself (WebRTC, signalling) is the shared client
// of web/src/voice/call.ts; its frames go over the widget's socket.
import { elapsed, isCallFrame, showing, Call, type CallFrame, type Media, type OutFrame } from '../src/voice/call';
import { t } from './i18n';
import { h } from './view';

/** reason words why a call ended, for the visitor. */
function reason(r: string, by: string): string {
  return r === 'hangup' ? t(by === 'customer' ? 'byYou' : 'byAgent') : r === 'agent_disconnected' || r === 'network_lost' || r === 'media_ended' ? t('lost') : r.replace(/_/g, ' ');
}

export class CallBar {
  readonly el = h('div', { class: 'call', 'data-testid': 'call' });
  private call?: Call;
  private asked?: Media; // the visitor clicked, no call id yet
  private dropped = false; // …and cancelled before the id came: that call is hung up when it does
  private timer?: ReturnType<typeof setInterval>;
  private readonly sound = h('audio', { autoplay: true });
  private readonly video = h('video', { autoplay: true, playsinline: true, muted: true, 'aria-label': t('agentVideo'), 'data-testid': 'call-video' });
  private readonly self = h('video', { autoplay: true, playsinline: true, muted: true, class: 'self', 'aria-label': t('selfVideo') });

  private release?: () => void;

  /** conv is the visitor's conversation: its calls' media runs in one tab (a Web Lock on it). */
  constructor(private readonly send: (f: OutFrame) => boolean, private readonly conv: () => string) {
    this.video.muted = this.self.muted = true; // the attribute alone does not mute a made element; sound plays in this.sound
    this.render();
  }

  /** frame takes one server frame; it reports whether it was a call's. */
  frame(f: { type: string }): boolean {
    if (!isCallFrame(f)) return false;
    const c = f as CallFrame;
    if (c.type === 'call.state' && c.call_id !== this.call?.view.id && c.state !== 'ended') {
      if (this.dropped && c.initiator !== 'agent') {
        this.dropped = false;
        this.send({ type: 'call.hangup', call_id: c.call_id });
        return true;
      }
      if (this.call && this.call.view.state !== 'ended') this.call.leave('replaced');
      // A call the visitor asked for opens its media at once (the center may
      // play prompts while it rings); one an agent places waits for "Answer".
      const call = new Call(c.call_id, c.media ?? this.asked ?? 'audio', { send: this.send, onChange: () => this.render(), mediaFrom: new Set() });
      this.call = call;
      // The visitor's own call opens its media at once, in the tab that asked
      // (or, after a reload, the first to hear it); an agent's waits for Answer.
      if (c.initiator !== 'agent') void this.own().then((mine) => mine && call.accept());
      this.asked = undefined;
    }
    if (c.type === 'call.error' && this.asked) {
      this.asked = undefined;
      this.render(c.detail || c.code);
      return true;
    }
    this.call?.handle(c);
    return true;
  }

  private async start(media: Media): Promise<void> {
    await this.own();
    if (this.send({ type: 'call.start', media })) {
      this.asked = media;
      this.dropped = false;
    }
    this.render();
  }

  /** own takes the conversation's call lock for this tab; other tabs show the call but do not send media. */
  private own(): Promise<boolean> {
    const locks = navigator.locks;
    if (this.release || !locks) return Promise.resolve(true);
    return new Promise((ok) => void locks.request('switchboard-call-' + this.conv(), { ifAvailable: true }, (l) => l ? new Promise<void>((r) => {
      this.release = r;
      ok(true);
    }) : ok(false)));
  }

  /** consent is the recording's line: asked (agree or refuse), recorded (refuse), or not. */
  private consent(id: string, r: string, b: (label: string, testid: string, onclick: () => void, cls?: string) => HTMLElement): HTMLElement[] {
    if (!r) return [];
    const answer = (yes: boolean) => () => this.send({ type: 'call.recording', call_id: id, consent: yes });
    const line = h('span', { class: 'line', 'data-testid': 'call-recording', 'data-recording': r }, t(r === 'asked' ? 'recAsk' : r === 'refused' ? 'recOff' : 'recOn'));
    return r === 'refused' ? [line] : [line, ...(r === 'asked' ? [b(t('recAgree'), 'call-record-agree', answer(true), 'ok')] : []), b(t('recRefuse'), 'call-record-refuse', answer(false))];
  }

  private render(problem = ''): void {
    const v = this.call?.view;
    if ((!v || v.state === 'ended') && !this.asked) {
      this.release?.(); // the call is over here: another tab may run the next
      this.release = undefined;
    }
    clearInterval(this.timer);
    const b = (label: string, testid: string, onclick: () => void, cls = '') => h('button', { type: 'button', class: `cb ${cls}`, 'data-testid': testid, onclick }, label);
    if (!v || (v.state === 'ended' && !this.asked && !v.reason)) {
      this.el.replaceChildren(...(this.asked ? [h('span', { class: 'line', role: 'status' }, t('ringing')), b(t('hangup'), 'call-hangup', () => {
        this.asked = undefined;
        this.dropped = true;
        this.render();
      }, 'end')] : [
        b(t('call'), 'call-audio', () => void this.start('audio')),
        b(t('videoCall'), 'call-video-start', () => void this.start('video')),
      ]), ...(problem ? [h('span', { class: 'line', role: 'alert' }, problem)] : []));
      return;
    }
    const call = this.call!;
    const line = h('span', { class: 'line', role: 'status', 'data-testid': 'call-state', 'data-state': v.state, 'data-reason': v.reason });
    const tick = () => {
      const time = elapsed(v.activeSince ? Date.now() - v.activeSince : 0);
      line.textContent = v.state === 'queued' ? (v.position ? t('queued', { n: v.position }) : t('waiting'))
        : v.state === 'connecting' || v.state === 'transferring' ? t('connecting2')
        : v.state === 'reconnecting' ? t('reconnecting2')
        : v.state === 'ended' ? (v.reason ? t('callEndedWhy', { reason: reason(v.reason, v.hungUpBy) }) : t('callEnded'))
        : v.state === 'active' || v.state === 'held' ? t(v.state, { time })
        : call.pc || v.initiator !== 'agent' ? t('ringing') : t('incoming');
    };
    tick();
    if (v.state === 'active' || v.state === 'held') this.timer = setInterval(tick, 1000);
    if (v.state === 'ended') {
      this.el.replaceChildren(line, b(t('call'), 'call-audio', () => void this.start('audio')), b(t('videoCall'), 'call-video-start', () => void this.start('video')));
      return;
    }
    const remote = v.remote[0];
    if (remote && this.sound.srcObject !== remote) this.sound.srcObject = remote;
    const vid = showing(v.remote)[0];
    if (vid && this.video.srcObject !== vid) this.video.srcObject = vid;
    if (v.local && this.self.srcObject !== v.local) this.self.srcObject = v.local;
    this.video.hidden = !vid;
    this.self.hidden = !v.camera;
    this.el.replaceChildren(line, this.sound, h('div', { class: 'tiles' }, this.video, this.self),
      ...(call.pc ? [
        b(v.muted ? t('unmute') : t('mute'), 'call-mute', () => call.mute(!v.muted)),
        b(v.camera ? t('cameraOff') : t('cameraOn'), 'call-camera', () => void call.setCamera(!v.camera)),
      ] : v.initiator === 'agent' ? [b(t('answer'), 'call-answer', () => void this.own().then((mine) => mine && call.accept()), 'ok')] : []),
      b(t('hangup'), 'call-hangup', () => call.hangup(), 'end'),
      ...this.consent(v.id, v.recording, b),
      ...(problem || v.error ? [h('span', { class: 'line', role: 'alert' }, problem || v.error)] : []));
    for (const [el, on] of [[this.el.querySelector('[data-testid=call-mute]'), v.muted], [this.el.querySelector('[data-testid=call-camera]'), v.camera]] as const) el?.setAttribute('aria-pressed', String(on));
  }
}
