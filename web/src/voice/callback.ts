// The pure part of the desktop's "Call now" for a held callback (ADR 0044,
// docs/voice.md "Outbound calls"): which callbacks the signed-in agent holds,
// and what her callback call is doing. No framework, no WebRTC, no strings
// shown to people — CallbackPanel words it.
//
// The callback list (GET /api/v1/callbacks) does not name who holds a
// callback's current attempt, so the holder is learnt from the feed: the
// routing.assigned event of a callback's work item names the agent, the
// callback and the attempt (work id "<callback>.<n>"). The hold ends when that
// attempt is recorded (the callback's attempts reach n) or the callback closes.

/** Attempt is one recorded try at a callback. */
export interface Attempt {
  at: string;
  agent_id: string;
  outcome: string;
  note: string;
}

/** CallbackView is a callback as the API and callback.updated events carry it. */
export interface CallbackView {
  id: string;
  persona_id: string;
  conversation_id: string;
  queue_id: string;
  phone: string;
  time_zone: string;
  state: string;
  outcome: string;
  not_before: string;
  not_after: string;
  created_at: string;
  updated_at: string;
  attempts: Attempt[];
}

/** Held is one callback attempt routing gave the agent. */
export interface Held {
  callbackID: string;
  /** attempt is the 1-based attempt the agent holds. */
  attempt: number;
  /** reason is why routing chose her, as routing.assigned says it. */
  reason: string;
}

interface FeedEvent {
  type: string;
  data?: unknown;
}

/** attemptOf reads n from a callback's work id "<callback>.<n>"; 0 when it is not one. */
export function attemptOf(workID: string, callbackID: string): number {
  if (!workID.startsWith(`${callbackID}.`)) return 0;
  const n = Number(workID.slice(callbackID.length + 1));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** holdEnded tells whether a callback's view shows the held attempt over. */
export function holdEnded(h: Held, v: CallbackView): boolean {
  if (v.id !== h.callbackID) return false;
  return v.state === 'done' || v.state === 'expired' || (v.attempts?.length ?? 0) >= h.attempt;
}

/** heldAfter is the agent's held callbacks once the feed's event ev has been applied. */
export function heldAfter(held: Held[], ev: FeedEvent, me: string): Held[] {
  const d = ev.data as Record<string, unknown> | undefined;
  if (!d) return held;
  if (ev.type === 'routing.assigned') {
    const id = typeof d.callback_id === 'string' ? d.callback_id : '';
    const work = typeof d.work_id === 'string' ? d.work_id : '';
    if (!id || d.agent_id !== me) return held;
    const n = attemptOf(work, id);
    if (!n) return held;
    const h: Held = { callbackID: id, attempt: n, reason: typeof d.reason === 'string' ? d.reason : '' };
    return [...held.filter((x) => x.callbackID !== id), h];
  }
  if (ev.type === 'callback.updated' && typeof d.id === 'string') {
    const v = d as unknown as CallbackView;
    return held.some((h) => holdEnded(h, v)) ? held.filter((h) => !holdEnded(h, v)) : held;
  }
  return held;
}

/** mine is the callbacks of list the agent holds, in the order routing gave them, with their hold. */
export function mine(list: CallbackView[], held: Held[]): { cb: CallbackView; held: Held }[] {
  const out: { cb: CallbackView; held: Held }[] = [];
  for (const h of held) {
    const cb = list.find((c) => c.id === h.callbackID);
    if (cb && !holdEnded(h, cb)) out.push({ cb, held: h });
  }
  return out;
}

/** upsert puts a callback's fresh view into list (replacing its old one). */
export function upsert(list: CallbackView[], v: CallbackView): CallbackView[] {
  const i = list.findIndex((c) => c.id === v.id);
  if (i < 0) return [...list, v];
  const next = list.slice();
  next[i] = v;
  return next;
}

/** DialPhase is what the agent's callback call is doing. */
export type DialPhase = 'idle' | 'connecting' | 'ringing' | 'connected' | 'ended';

/**
 * DialState is the call's phase; reason says why it ended: an attempt's outcome
 * (no_answer, busy, wrong_number, voicemail), "hangup" (the agent), "lost" (the
 * media path went away: the customer or the center hung up, or the network),
 * "failed" (the dial was refused; detail has the server's words).
 */
export interface DialState {
  phase: DialPhase;
  callbackID: string;
  /** attempts is how many attempts the callback had when the agent dialled. */
  attempts: number;
  reason: string;
  detail: string;
}

/** DialInput is what moves a callback call. */
export type DialInput =
  | { type: 'dial'; callbackID: string; attempts: number }
  | { type: 'answered' } // the server answered the offer
  | { type: 'failed'; detail: string }
  | { type: 'pc'; state: RTCPeerConnectionState }
  | { type: 'updated'; view: CallbackView }
  | { type: 'hangup' }
  | { type: 'reset' };

/** idle is no call. */
export const idle: DialState = { phase: 'idle', callbackID: '', attempts: 0, reason: '', detail: '' };

/** live tells whether a call is going on (the agent cannot dial another). */
export function live(s: DialState): boolean {
  return s.phase === 'connecting' || s.phase === 'ringing' || s.phase === 'connected';
}

/** dialNext is the call's state after input. An ended call stays ended until reset or a new dial. */
export function dialNext(s: DialState, in_: DialInput): DialState {
  const end = (reason: string, detail = ''): DialState => ({ ...s, phase: 'ended', reason, detail });
  switch (in_.type) {
    case 'dial':
      return live(s) ? s : { phase: 'connecting', callbackID: in_.callbackID, attempts: in_.attempts, reason: '', detail: '' };
    case 'reset':
      return live(s) ? s : idle;
    case 'hangup':
      return live(s) ? end('hangup') : s;
    case 'failed':
      return live(s) ? end('failed', in_.detail) : s;
    case 'answered':
      return s;
    case 'pc':
      if (!live(s)) return s;
      if (in_.state === 'connected' && s.phase === 'connecting') return { ...s, phase: 'ringing' };
      if (in_.state === 'failed' || in_.state === 'closed' || in_.state === 'disconnected') return end('lost');
      return s;
    case 'updated': {
      const v = in_.view;
      if (!live(s) || v.id !== s.callbackID) return s;
      const fresh = (v.attempts ?? []).slice(s.attempts);
      if (fresh.length === 0) return s;
      const outcome = fresh[fresh.length - 1]?.outcome ?? '';
      if (outcome === 'answered') return s.phase === 'connected' ? s : { ...s, phase: 'connected' };
      return end(outcome || 'lost');
    }
  }
}
