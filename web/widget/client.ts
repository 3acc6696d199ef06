// The widget's link to the center: the HTTP endpoints (session, history,
// uploads, offline messages) and one WebSocket that reconnects with backoff and
// resumes after the last message it saw, so a dropped connection loses nothing.
import {
  backoffDelay, endpoint, socketURL,
  type ArticleHit, type ArticleView, type ClientFrame, type Identity, type Message, type PageContext, type ServerFrame, type Session,
} from './protocol';

/** HTTPError is a refused request, with the problem's detail fit to show. */
export class HTTPError extends Error {
  constructor(readonly status: number, detail: string) {
    super(detail);
  }
}

async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  let detail = '';
  try {
    const p = await res.json();
    detail = p.detail || p.title || '';
  } catch {
    // not a problem document: the status says enough
  }
  throw new HTTPError(res.status, detail || `HTTP ${res.status}`);
}

async function postJSON<T>(url: string, body: unknown): Promise<T> {
  const res = await check(await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }));
  return res.status === 202 || res.status === 204 ? (undefined as T) : res.json();
}

/** API calls the widget's HTTP endpoints of one widget key. */
export class API {
  constructor(readonly base: string, readonly key: string) {}

  /** session starts or resumes the visitor (token) and, when given, identifies them. */
  session(token: string | undefined, id: Identity, fields?: Record<string, string>): Promise<Session> {
    return postJSON(endpoint(this.base, this.key, 'session'), {
      visitor_token: token || undefined,
      user_id: id.userId || undefined,
      user_hash: id.userHash || undefined,
      name: id.name || fields?.name || undefined,
      email: id.email || fields?.email || undefined,
      fields,
    });
  }

  /** history returns up to limit messages before the given one, oldest first. */
  async history(token: string, before: string, limit = 50): Promise<Message[]> {
    const res = await check(await fetch(endpoint(this.base, this.key, 'history', { token, before, limit: String(limit) })));
    return ((await res.json()).messages ?? []) as Message[];
  }

  /** upload sends one file, with an optional text, as a message of the visitor. */
  async upload(token: string, file: File, body: string, clientID: string, fresh = false): Promise<Message> {
    const form = new FormData();
    form.append('file', file, file.name);
    if (body) form.append('body', body);
    form.append('client_id', clientID);
    if (fresh) form.append('new_conversation', 'true');
    const res = await check(await fetch(endpoint(this.base, this.key, 'uploads', { token }), { method: 'POST', body: form }));
    return (await res.json()).message as Message;
  }

  /** offline leaves a message to be answered by email. */
  offline(msg: { email: string; name: string; body: string; context: PageContext; visitor_token?: string }): Promise<void> {
    return postJSON(endpoint(this.base, this.key, 'offline'), msg);
  }

  /** articles searches the business's published articles (deflection), in the visitor's help session. */
  async articles(q: string, session: string): Promise<{ items: ArticleHit[]; session: string }> {
    const res = await check(await fetch(endpoint(this.base, this.key, 'articles', { q, session })));
    return res.json();
  }

  /** article opens one article inline, recording it in the help session. */
  async article(slug: string, session: string): Promise<ArticleView> {
    const res = await check(await fetch(endpoint(this.base, this.key, 'articles/' + encodeURIComponent(slug), { session })));
    return res.json();
  }

  /** attachmentURL makes a file link the visitor's browser can open (it carries the token). */
  attachmentURL(url: string, token: string): string {
    const u = new URL(url, this.base + '/');
    if (!u.searchParams.has('token')) u.searchParams.set('token', token);
    return u.href;
  }
}

/** SocketState is what the widget shows about its connection. */
export type SocketState = 'connecting' | 'open' | 'retrying' | 'closed';

const STABLE_MS = 5_000;
const PING_MS = 25_000;

/**
 * Socket is the visitor's live connection. It reconnects until stopped; each
 * attempt asks the server for what came after resumeFrom().
 */
export class Socket {
  private ws?: WebSocket;
  private timer?: ReturnType<typeof setTimeout>;
  private pinger?: ReturnType<typeof setInterval>;
  private stopped = true;
  /** failures counts attempts in a row that did not hold. */
  failures = 0;

  constructor(
    private readonly api: API,
    private readonly token: () => string,
    private readonly resumeFrom: () => string | undefined,
    private readonly onFrame: (f: ServerFrame) => void,
    private readonly onState: (s: SocketState, failures: number) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    addEventListener('online', this.now);
    addEventListener('offline', this.drop);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    removeEventListener('online', this.now);
    removeEventListener('offline', this.drop);
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000);
    this.onState('closed', this.failures);
  }

  /** send writes a frame if the socket is open; it reports whether it did. */
  send(f: ClientFrame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(f));
    return true;
  }

  /** isOpen tells whether frames can be sent now. */
  isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  private connect(): void {
    this.onState('connecting', this.failures);
    let ws: WebSocket;
    try {
      ws = new WebSocket(socketURL(this.api.base, this.api.key, this.token(), this.resumeFrom()));
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    let openedAt = 0;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      openedAt = Date.now();
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
      let f: ServerFrame;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (f?.type === 'ready') {
        // Only now is the connection usable: the server has the visitor.
        this.onState('open', this.failures);
      }
      this.onFrame(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearInterval(this.pinger);
      // A connection that is accepted and dropped at once must not reset the
      // backoff, or a broken server would be met by a tight loop.
      if (openedAt && Date.now() - openedAt > STABLE_MS) this.failures = 0;
      else this.failures++;
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.onState('retrying', this.failures);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), backoffDelay(Math.max(0, this.failures - 1)));
  }

  // The device lost its network: the socket is dead even if no close has come
  // yet (that can take minutes), so say so now and reconnect when it is back.
  private readonly drop = (): void => {
    this.ws?.close();
  };

  private readonly now = (): void => {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.connect();
  };
}
