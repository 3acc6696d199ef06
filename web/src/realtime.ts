// The realtime feed: one WebSocket per tab that resumes from the last event it
// saw, and reconnects with capped, jittered exponential backoff when it drops.
import type { RealtimeEvent } from './types';

/** ConnectionState is what the top bar shows. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
const STABLE_MS = 5_000;
/** PRUNED closes a feed resumed from before the events the center has pruned (internal/realtime.StatusPruned). */
const PRUNED = 4410;

/**
 * backoffDelay is how long to wait before reconnect attempt n (0-based): 0.5 s doubling
 * to 15 s, then scaled by a random factor in [0.5, 1) so that a server restart does not
 * bring every agent back in the same millisecond.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** realtimeURL is the feed's address on this page's origin, resuming after since. */
export function realtimeURL(loc: Location, since: number | undefined): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = since === undefined ? '' : `?since=${since}`;
  return `${proto}//${loc.host}/api/v1/realtime${q}`;
}

type Listener = (ev: RealtimeEvent) => void;
type StateListener = (s: ConnectionState) => void;

/** RealtimeClient owns the socket; start it after sign-in and stop it on sign-out. */
export class RealtimeClient {
  private socket?: WebSocket;
  private timer?: ReturnType<typeof setTimeout>;
  private attempt = 0;
  private lastSeq?: number;
  private stopped = true;
  private state: ConnectionState = 'offline';
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<StateListener>();

  /**
   * onRepeatedFailure runs after a few failed reconnects in a row, so the app can
   * check whether the session is still valid (a WebSocket cannot see the 401).
   */
  constructor(private readonly onRepeatedFailure?: () => void) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.reconnectNow);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.reconnectNow);
    clearTimeout(this.timer);
    const s = this.socket;
    this.socket = undefined;
    s?.close(1000);
    this.setState('offline');
  }

  /** send writes a frame to the server (calls' signalling); false when the feed is down. */
  send(frame: object): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** subscribe calls fn for every event frame; it returns the unsubscribe function. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * snapshot fetches a view's starting state and returns it with the events that
   * arrived while the request was out. A view applies those on top of the answer:
   * an answer computed before an event must not erase what the event told it.
   */
  async snapshot<T>(fetch: () => Promise<T>): Promise<{ value: T; since: RealtimeEvent[] }> {
    const since: RealtimeEvent[] = [];
    const off = this.subscribe((ev) => void since.push(ev));
    try {
      return { value: await fetch(), since };
    } finally {
      off();
    }
  }

  /** watchState calls fn now and on every state change; it returns the unsubscribe function. */
  watchState(fn: StateListener): () => void {
    this.stateListeners.add(fn);
    fn(this.state);
    return () => this.stateListeners.delete(fn);
  }

  private connect(): void {
    this.setState(this.state === 'offline' ? 'connecting' : 'reconnecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(realtimeURL(location, this.lastSeq));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let openedAt = 0;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      openedAt = Date.now();
      this.setState('connected');
    };
    socket.onmessage = (msg) => {
      if (this.socket === socket) this.handle(msg.data);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (ev.code === PRUNED) {
        // Away longer than the center keeps events: what was missed cannot be
        // replayed, so the page loads its state afresh (and the feed from now).
        this.lastSeq = undefined;
        location.reload();
        return;
      }
      // Only a connection that held for a while resets the backoff; one the server
      // accepts and drops at once must not turn into a tight reconnect loop.
      if (openedAt && Date.now() - openedAt > STABLE_MS) this.attempt = 0;
      this.scheduleReconnect();
    };
    // onerror is always followed by onclose, which does the work.
  }

  private handle(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let ev: RealtimeEvent;
    try {
      ev = JSON.parse(raw);
    } catch {
      return;
    }
    if (!ev || typeof ev.type !== 'string') return;
    // Seq 0 (or none) marks an ephemeral event or a control frame: deliver it, but
    // it is no resume point. A seq we already have is a replay overlap: drop it.
    if (typeof ev.seq === 'number' && ev.seq > 0) {
      if (this.lastSeq !== undefined && ev.seq <= this.lastSeq) return;
      this.lastSeq = ev.seq;
    }
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch (err) {
        console.error('realtime listener', err);
      }
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState('reconnecting');
    const delay = backoffDelay(this.attempt);
    this.attempt++;
    if (this.attempt % 3 === 0) this.onRepeatedFailure?.();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private readonly reconnectNow = (): void => {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  };

  private setState(s: ConnectionState): void {
    if (s === this.state) return;
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }
}
