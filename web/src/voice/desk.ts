// The desktop's calls: one Call per call the feed tells this agent of, kept
// for the whole tab (the app shell owns it) so that the media outlives a walk
// to another page. The conversation view's panel and the shell's dock draw it.
import { request } from '../api';
import { warmChime } from '../desktop/sound';
import type { RealtimeClient } from '../realtime';
import type { RealtimeEvent } from '../types';
import { AgentMedia, Call, isCallFrame, type CallFrame, type Media, type View } from './call';

const enc = encodeURIComponent;

/** callApi is the agent's call actions over HTTP (docs/voice.md). */
export const callApi = {
  start: (conversationID: string, media: Media) =>
    request<{ id?: string; call_id?: string }>('POST', `/api/v1/conversations/${enc(conversationID)}/calls`, { body: { media } }),
  accept: (offerID: string) => request<unknown>('POST', `/api/v1/offers/${enc(offerID)}/accept`),
  act: (id: string, action: 'hold' | 'resume' | 'mute' | 'unmute' | 'hangup') => request<unknown>('POST', `/api/v1/calls/${enc(id)}/${action}`),
  transfer: (id: string, to: { agent_id: string } | { queue_id: string }) => request<unknown>('POST', `/api/v1/calls/${enc(id)}/transfer`, { body: to }),
};

/**
 * frameOf reads a call frame from a feed event: the feed may send the frame
 * as it is ({type, call_id, …}) or as an event whose data holds the fields.
 */
export function frameOf(ev: RealtimeEvent): CallFrame | null {
  if (!isCallFrame(ev)) return null;
  const data = (ev as { data?: unknown }).data;
  if (data && typeof data === 'object' && 'call_id' in data) return { ...(data as object), type: ev.type } as CallFrame;
  return ev as unknown as CallFrame;
}

type Listener = () => void;

/** DeskCalls holds the agent's calls, newest last. */
export class DeskCalls {
  private readonly calls = new Map<string, Call>();
  private readonly listeners = new Set<Listener>();
  /** held are the calls whose media this tab runs, with the release of their lock. */
  private readonly held = new Map<string, () => void>();

  constructor(private readonly realtime: RealtimeClient) {
    warmChime(); // the offer chime's audio context, made now rather than on the first ring
    // Call frames are not replayed: after the feed was down (the node
    // restarted, the network dropped) each call still on screen is read again.
    let was = '';
    realtime.watchState((s) => {
      if (s === 'connected' && was && was !== 'connected' && was !== 'connecting') void this.resync();
      was = s;
    });
    realtime.subscribe((ev) => {
      const f = frameOf(ev);
      if (f) return this.handle(f);
      // A call rung to this agent whose routing offer went elsewhere or lapsed is not hers.
      const offer = (ev.data as { offer_id?: string } | undefined)?.offer_id;
      if (offer && (ev.type === 'routing.offer_expired' || ev.type === 'routing.offer_withdrawn')) {
        for (const c of this.calls.values()) {
          if (c.view.state !== 'ringing' || c.view.offerID !== offer) continue;
          c.release(); // media an Accept opened ahead
          this.calls.delete(c.view.id);
        }
        this.changed();
      }
    });
  }

  /** handle takes one call frame from the feed. */
  handle(f: CallFrame): void {
    let call = f.call_id ? this.calls.get(f.call_id) : undefined;
    if (!call && f.type === 'call.state' && f.state !== 'ended') {
      const id = f.call_id;
      call = new Call(id, f.media ?? 'audio', {
        send: (out) => this.realtime.send(out),
        onChange: (v) => {
          if (v.state === 'ended') this.held.get(id)?.();
          this.changed();
        },
        mediaFrom: new Set(), // opened below, by one tab only (or ahead, by take)
        offerFrom: AgentMedia,
      });
      this.calls.set(id, call);
    }
    if (!call) return;
    call.handle(f);
    const c = call;
    if (f.type !== 'call.state') return;
    if (AgentMedia.has(f.state)) {
      if (!c.pc) void this.own(c.view.id).then((mine) => (mine ? c.accept() : c.release()));
    } else if (f.state === 'ringing' && f.offer_id && document.visibilityState === 'visible') {
      c.warm(); // rung to her, in the tab she looks at: the devices are ready when she accepts
    } else if (!c.pc) {
      c.release(); // rung no more (the offer went elsewhere or lapsed): devices asked for ahead are let go
    }
  }

  /**
   * take accepts a rung call in this tab: it owns the call's media, opens it
   * (microphone, peer connection, offer and candidates ready, not sent) while
   * the accept travels, so the leg is up moments after the center says
   * "connecting". An accept that fails releases the media.
   */
  async take(id: string, offerID: string): Promise<void> {
    const mine = await this.own(id);
    const call = this.calls.get(id);
    if (mine) call?.accept();
    try {
      await callApi.accept(offerID);
    } catch (err) {
      if (call && call.view.state === 'ringing') call.release();
      throw err;
    }
  }

  /** resync reads again every call still on screen: one that ended while the feed was down ends here. */
  private async resync(): Promise<void> {
    for (const c of [...this.calls.values()]) {
      if (c.view.state === 'ended') continue;
      try {
        const v = await request<{ state: string; ended_reason?: string; hung_up_by?: string }>('GET', `/api/v1/calls/${enc(c.view.id)}`);
        if (v.state === 'ended') c.handle({ type: 'call.state', call_id: c.view.id, state: 'ended', reason: v.ended_reason ?? '', hung_up_by: v.hung_up_by ?? '' });
      } catch {
        // not hers any more (404) or the center is still away: the next reconnect reads it again
      }
    }
  }

  /**
   * own takes the call's media for this tab. Every tab of the agent hears the
   * call's frames, but one browser leg answers for her: the tab that accepted
   * (it calls own first), else the first to hear "connecting". A Web Lock
   * (navigator.locks) decides between tabs; the browser frees it with the tab.
   */
  own(id: string): Promise<boolean> {
    if (this.held.has(id)) return Promise.resolve(true);
    const locks = navigator.locks;
    if (!locks) return Promise.resolve(true);
    return new Promise((ok) => {
      void locks.request(`switchboard-call-${id}`, { ifAvailable: true }, (lock) => {
        if (!lock) return ok(false);
        ok(true);
        return new Promise<void>((release) => this.held.set(id, release));
      });
    });
  }

  /** list is every call this tab knows, ended ones included (their reason stays on screen). */
  list(): Call[] {
    return [...this.calls.values()];
  }

  /** forConversation is the conversation's newest call, if any. */
  forConversation(id: string): Call | undefined {
    return this.list().filter((c) => c.view.conversationID === id).at(-1);
  }

  /** forget drops an ended call from the screen. */
  forget(id: string): void {
    if (this.calls.get(id)?.view.state === 'ended') this.calls.delete(id);
    this.changed();
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

const desks = new WeakMap<RealtimeClient, DeskCalls>();

/** deskCalls is the tab's one DeskCalls on this feed. */
export function deskCalls(realtime: RealtimeClient): DeskCalls {
  let d = desks.get(realtime);
  if (!d) {
    d = new DeskCalls(realtime);
    desks.set(realtime, d);
  }
  return d;
}

/** live tells whether a call still holds media. */
export function live(v: View): boolean {
  return v.state !== 'ended';
}
