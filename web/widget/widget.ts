// Widget is the chat on a business's page: a launcher, and a panel that shows
// the pre-chat form, the conversation, or the leave-a-message form. Everything
// is drawn in a shadow root so the page and the widget cannot restyle each other.
import { API, HTTPError, Socket, type SocketState } from './client';
import { fieldLabel, t } from './i18n';
import {
  DEFAULT_ACCEPT, deflectable, formatBytes, newClientID, pageContext, uploadProblem,
  type ArticleHit, type Config, type Identity, type ServerFrame, type Session, type Survey, type Wait,
} from './protocol';
import { CallBar } from './callbar';
import { css } from './styles';
import { Timeline, type Pending } from './timeline';
import { h, icon, messageView, pendingView } from './view';

type Mode = 'loading' | 'prechat' | 'chat' | 'offline' | 'thanks';

/** Saved is what the widget keeps in localStorage per widget key. */
interface Saved {
  token?: string;
  user?: string; // the verified user the token belongs to
  seen?: string; // the newest business message the visitor has seen
  outbox?: Pending[];
  help?: string; // the help session the article searches and reads go into
}

const TYPING_IDLE_MS = 3_000;
const AGENT_TYPING_MS = 15_000;
const HISTORY_PAGE = 50;
const OFFLINE_AFTER_FAILURES = 3;
const DEFLECT_DELAY_MS = 350;

export class Widget {
  private readonly api: API;
  private readonly root: ShadowRoot;
  private readonly timeline = new Timeline();
  private readonly socket: Socket;
  private readonly storeKey: string;
  private session?: Session;
  private sessionLoad?: Promise<boolean>;
  private mode: Mode = 'loading';
  private isOpen = false;
  private connected = false;
  private everConnected = false;
  private contextSent = false;
  private typingOn = false;
  private typingTimer?: ReturnType<typeof setTimeout>;
  private agentTypingTimer?: ReturnType<typeof setTimeout>;
  private lastReadSent = '';
  private moreHistory = true;
  private loadingHistory = false;
  private error = '';
  private socketState: SocketState = 'closed';
  /** ended is the end of the conversation on screen, when an agent resolved it. */
  private ended?: { conversation_id: string; text: string };
  /**
   * left is the ended conversation the visitor left with "Start a new chat":
   * until their first message starts the new one, its frames (a reconnect's
   * replay) are not shown again.
   */
  private left = '';
  private endedAt = '';
  /** survey is the ended chat's satisfaction survey. */
  private survey?: Survey;
  /** wait is the visitor's place in the queue while no agent has the chat. */
  private wait?: Wait;
  /** reading is the article open in the panel (deflection), if any. */
  private reading?: HTMLElement;
  private deflectTimer?: ReturnType<typeof setTimeout>;
  private deflectSeq = 0;

  private readonly calls: CallBar;

  private readonly el = {
    wrap: h('div'),
    launcher: h('button'),
    badge: h('span', { class: 'badge', hidden: true }),
    panel: h('section'),
    status: h('span', { class: 'status' }),
    title: h('span', { class: 'title' }),
    body: h('div', { style: 'display:contents' }),
    log: h('div'),
    typing: h('div', { class: 'typing', 'data-testid': 'typing', 'aria-live': 'polite' }),
    input: h('textarea'),
    file: h('input'),
    errorBox: h('div', { class: 'error', role: 'alert', hidden: true }),
    deflect: h('div', { class: 'deflect', 'data-testid': 'deflect', hidden: true }),
  };

  constructor(host: HTMLElement, private readonly base: string, readonly key: string, private identity: Identity, private helpSession = '') {
    this.api = new API(base, key);
    this.storeKey = `switchboard:${key}`;
    if (helpSession) this.save({ help: helpSession });
    else this.helpSession = this.saved().help ?? '';
    this.root = host.attachShadow({ mode: 'open' });
    this.timeline.pending = this.saved().outbox ?? [];
    this.socket = new Socket(this.api, () => this.session?.visitor_token ?? '', () => this.timeline.lastID(),
      (f) => this.onFrame(f), (s, failures) => this.onSocketState(s, failures));
    this.calls = new CallBar((f) => this.socket.send(f), () => this.session?.conversation_id ?? '');
    this.build();
    // A returning visitor with a conversation gets replies (and the unread
    // badge) without opening the panel; a new one costs the center nothing
    // until they open it.
    const saved = this.saved();
    if (saved.token && (!saved.user || saved.user === identity.userId)) void this.ensureSession().then((ok) => ok && this.session?.conversation_id && this.socket.start());
    document.addEventListener('visibilitychange', () => this.markRead());
  }

  /** open shows the panel. */
  open(): void {
    this.isOpen = true;
    this.el.wrap.classList.add('open');
    this.el.panel.hidden = false;
    this.el.launcher.setAttribute('aria-expanded', 'true');
    void this.ensureSession().then(() => this.chooseMode());
    this.render();
    this.el.input.focus();
  }

  /** close hides the panel; the conversation goes on in the background. */
  close(): void {
    this.isOpen = false;
    this.el.wrap.classList.remove('open');
    this.el.panel.hidden = true;
    this.el.launcher.setAttribute('aria-expanded', 'false');
    this.el.launcher.focus();
  }

  /**
   * identify tells who the signed-in user is. An anonymous visitor becomes that
   * user (the server links the two); another user than the token's starts afresh.
   */
  identify(id: Identity): void {
    this.identity = { ...this.identity, ...id };
    const saved = this.saved().user;
    if (saved && saved !== this.identity.userId) this.restart();
    else if (this.session) this.refreshSession();
  }

  /** reset forgets the visitor and who they were on this browser (call it when your user signs out). */
  reset(): void {
    this.identity = {};
    this.restart();
  }

  /** restart drops the visitor's token and conversation and starts a new session. */
  private restart(): void {
    this.socket.stop();
    this.save({ token: undefined, user: undefined, seen: undefined, outbox: [] });
    this.session = undefined;
    this.sessionLoad = undefined;
    this.timeline.clear();
    this.contextSent = false;
    this.moreHistory = true;
    this.mode = 'loading';
    if (this.isOpen) void this.ensureSession().then(() => this.chooseMode());
    this.render();
  }

  // --- session -------------------------------------------------------------

  private saved(): Saved {
    try {
      return JSON.parse(localStorage.getItem(this.storeKey) ?? '{}') as Saved;
    } catch {
      return {}; // storage blocked (a sandboxed frame, a strict privacy mode)
    }
  }

  private save(patch: Partial<Saved>): void {
    try {
      localStorage.setItem(this.storeKey, JSON.stringify({ ...this.saved(), ...patch }));
    } catch {
      // the conversation still works for this page view
    }
  }

  /** saveOutbox keeps unacknowledged text messages across page loads (uploads are not resumable). */
  private saveOutbox(): void {
    this.save({ outbox: this.timeline.pending.filter((p) => !p.upload) });
  }

  /** ensureSession starts the session once; it reports whether there is one. */
  private ensureSession(fields?: Record<string, string>): Promise<boolean> {
    if (!fields && this.sessionLoad) return this.sessionLoad;
    const load: Promise<boolean> = this.startSession(fields).then(() => true, (err) => {
      if (load === this.sessionLoad) this.sessionLoad = undefined; // let the next open try again
      this.showError(err);
      return false;
    });
    this.sessionLoad = load;
    return load;
  }

  private async startSession(fields?: Record<string, string>): Promise<void> {
    const saved = this.saved();
    let token = this.session?.visitor_token ?? saved.token;
    // A token of a verified user is only good while the page proves that user:
    // whoever uses the browser after them (signed out) must not see their chat.
    if (saved.user && saved.user !== this.identity.userId) token = undefined;
    let s: Session | undefined;
    while (!s) {
      try {
        s = await this.api.session(token, this.identity, fields);
      } catch (err) {
        if (!(err instanceof HTTPError) || err.status !== 401) throw err;
        if (token) {
          // The stored token is no longer good (expired, signed with an old key).
          token = undefined;
        } else if (this.identity.userId) {
          // The page's signature does not hold: chat on as an anonymous visitor.
          console.error(`Switchboard widget: user ${this.identity.userId} was not accepted (${err.message}); continuing anonymously`);
          this.identity = { name: this.identity.name, email: this.identity.email };
        } else throw err;
      }
    }
    if (this.session && this.session.visitor_id !== s.visitor_id) this.timeline.clear();
    this.session = s;
    this.save({ token: s.visitor_token, user: this.identity.userId });
    this.el.title.textContent = s.config.title || t('title');
    if (/^#[0-9a-f]{6}$/i.test(s.config.brand_color ?? '')) this.el.wrap.style.setProperty('--sb-accent', s.config.brand_color!);
    this.render();
  }

  private refreshSession(): void {
    this.sessionLoad = undefined;
    void this.ensureSession().then(() => {
      if (this.socketState !== 'closed') {
        this.socket.stop();
        this.socket.start();
      }
    });
  }

  private chooseMode(): void {
    const s = this.session;
    if (!s) return;
    const c = s.config;
    if (c.offline) this.mode = this.mode === 'thanks' ? 'thanks' : 'offline';
    else if (this.mode === 'loading' && this.needsPrechat(c, s)) this.mode = 'prechat';
    else if (this.mode === 'loading') this.mode = 'chat';
    if (this.mode === 'chat' || (!c.offline && this.mode === 'offline')) this.socket.start();
    this.render();
  }

  private needsPrechat(c: Config, s: Session): boolean {
    return (c.prechat_fields?.length ?? 0) > 0 && !s.conversation_id && !this.identity.userId && this.timeline.messages.length === 0;
  }

  // --- socket --------------------------------------------------------------

  private onSocketState(s: SocketState, failures: number): void {
    this.socketState = s;
    this.connected = s === 'open';
    if (this.connected) {
      this.everConnected = true;
      if (this.mode === 'offline' && !this.session?.config.offline && !this.offlineDraft()) this.mode = 'chat';
      this.flush();
      this.markRead();
    } else if (s === 'retrying' && failures > 0 && failures % OFFLINE_AFTER_FAILURES === 0) {
      // Several attempts in a row failed: perhaps the token was refused, so
      // renew the session; and if the socket never came up, offer email instead.
      this.sessionLoad = undefined;
      void this.ensureSession();
      if (!this.everConnected && this.mode === 'chat' && this.timeline.pending.length === 0) this.mode = 'offline';
    }
    this.render();
  }

  private onFrame(f: ServerFrame): void {
    if (this.calls.frame(f)) return;
    switch (f.type) {
      case 'ready':
        if (this.session && f.conversation_id && f.conversation_id !== this.left) this.session.conversation_id = f.conversation_id;
        break;
      case 'message':
        if (f.message.conversation_id === this.left) return;
        if (f.message.direction === 'out') this.setAgentTyping('');
        // An agent who writes again has reopened the chat.
        if (this.ended?.conversation_id === f.message.conversation_id && f.message.created_at > this.endedAt) this.ended = undefined;
        this.timeline.add(f.message);
        break;
      case 'ended':
        if (f.conversation_id === this.left) return;
        if (this.session?.conversation_id && f.conversation_id !== this.session.conversation_id) return;
        this.ended = { conversation_id: f.conversation_id, text: f.text || this.session?.config.end_message || t('ended') };
        this.endedAt = this.timeline.messages.at(-1)?.created_at ?? '';
        break;
      case 'ack':
        if (f.message.conversation_id !== this.ended?.conversation_id) this.ended = undefined;
        if (f.message.conversation_id !== this.left) this.left = '';
        this.timeline.ack(f.client_id, f.message);
        if (this.session && !this.session.conversation_id) this.session.conversation_id = f.message.conversation_id;
        this.saveOutbox();
        break;
      case 'typing':
        this.setAgentTyping(f.on ? f.name || t('someone') : '');
        return;
      case 'survey':
        if (f.conversation_id === this.left) return;
        this.survey = f;
        break;
      case 'wait':
        this.wait = f.waiting && f.conversation_id === this.session?.conversation_id ? f : undefined;
        break;
      case 'read':
        this.timeline.readUpTo = f.message_id;
        break;
      case 'error':
        if (f.client_id) {
          this.timeline.fail(f.client_id, f.detail || f.code);
          this.saveOutbox();
        } else this.showError(new Error(f.detail || f.code));
        break;
      default:
        return;
    }
    this.renderLog();
    this.markRead();
  }

  /** flush (re)sends every message not yet acknowledged; the server dedupes by client id. */
  private flush(): void {
    for (const p of this.timeline.pending) {
      if (p.failed || p.upload) continue;
      if (!this.socket.send({ type: 'message', client_id: p.client_id, body: p.body, context: p.context, new_conversation: p.fresh || undefined })) return;
    }
  }

  private markRead(): void {
    const last = this.timeline.lastFromBusiness();
    if (!last || !this.isOpen || this.mode !== 'chat' || document.visibilityState !== 'visible') {
      this.renderBadge();
      return;
    }
    if (this.saved().seen !== last.id) this.save({ seen: last.id });
    if (last.id !== this.lastReadSent && this.socket.send({ type: 'read', message_id: last.id })) this.lastReadSent = last.id;
    this.renderBadge();
  }

  private setAgentTyping(name: string): void {
    clearTimeout(this.agentTypingTimer);
    // A lost "stopped typing" frame must not leave the indicator on for good.
    if (name) this.agentTypingTimer = setTimeout(() => this.setAgentTyping(''), AGENT_TYPING_MS);
    this.el.typing.textContent = name ? t('typing', { name }) : '';
  }

  // --- visitor actions -----------------------------------------------------

  private context() {
    if (this.contextSent) return undefined;
    this.contextSent = true;
    return pageContext(location.href, document.title, document.referrer, this.helpSession);
  }

  // --- deflection: articles that may answer the draft, before a chat starts ---

  private chatting(): boolean {
    return !!this.session?.conversation_id || this.timeline.messages.length > 0 || this.timeline.pending.length > 0;
  }

  private scheduleDeflect(): void {
    clearTimeout(this.deflectTimer);
    const draft = this.el.input.value;
    if (!deflectable(draft, this.chatting())) return this.showHits([]);
    this.deflectTimer = setTimeout(() => void this.deflect(draft.trim()), DEFLECT_DELAY_MS);
  }

  private async deflect(q: string): Promise<void> {
    const mine = ++this.deflectSeq;
    try {
      const res = await this.api.articles(q, this.helpSession);
      if (res.session && res.session !== this.helpSession) {
        this.helpSession = res.session;
        this.save({ help: res.session });
      }
      if (mine === this.deflectSeq && !this.chatting()) this.showHits(res.items ?? []);
    } catch {
      // deflection is a courtesy: the chat works without it
    }
  }

  private showHits(items: ArticleHit[]): void {
    const box = this.el.deflect;
    box.hidden = items.length === 0;
    box.replaceChildren(...(items.length ? [h('p', { class: 'note' }, t('suggested'))] : []),
      ...items.map((a) => h('button', { type: 'button', class: 'hit', 'data-testid': 'hit', onclick: () => void this.openArticle(a.slug) }, a.title)));
  }

  private async openArticle(slug: string): Promise<void> {
    try {
      const a = await this.api.article(slug, this.helpSession);
      if (a.session && a.session !== this.helpSession) {
        this.helpSession = a.session;
        this.save({ help: a.session });
      }
      const text = h('div', { class: 'body' });
      text.innerHTML = a.html; // sanitised by the center (its one HTML policy)
      this.reading = h('div', { class: 'article', 'data-testid': 'article' },
        h('button', { type: 'button', class: 'back', 'data-testid': 'back', onclick: () => this.closeArticle() }, '← ' + t('back')),
        h('h2', {}, a.title), text,
        ...(a.url ? [h('a', { href: a.url, target: '_blank', rel: 'noopener' }, t('fullArticle'))] : []));
      this.render();
    } catch (err) {
      this.showError(err);
    }
  }

  private closeArticle(): void {
    this.reading = undefined;
    this.render();
    this.el.input.focus();
  }

  private sendText(body: string): void {
    body = body.trim();
    if (!body) return;
    this.setTyping(false);
    this.showHits([]);
    this.reading = undefined;
    this.timeline.pending.push({ client_id: newClientID(), body, context: this.context(), fresh: this.left !== '' || undefined });
    this.saveOutbox();
    this.renderLog(true);
    this.flush();
    if (!this.connected) this.socket.start();
  }

  private retry(p: Pending): void {
    p.failed = undefined;
    this.renderLog();
    this.flush();
  }

  private setTyping(on: boolean): void {
    clearTimeout(this.typingTimer);
    if (on) this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_IDLE_MS);
    if (on === this.typingOn) return;
    this.typingOn = on;
    this.socket.send({ type: 'typing', on });
  }

  /** record loads the recorder (its own script) and puts it above the composer; what it records is uploaded. */
  private async record(): Promise<void> {
    const w = window as unknown as { SwitchboardRecorder?: { open(video: boolean, done: (f: File | null, problem?: string) => void): HTMLElement } };
    if (this.el.body.querySelector('[data-testid=recorder]')) return;
    try {
      if (!w.SwitchboardRecorder) await new Promise((ok, fail) => document.head.append(h('script', { src: `${this.base}/widget/recorder.js`, onload: ok, onerror: fail })));
    } catch {
      return this.showError(t('recRefused', { why: 'script' }));
    }
    this.el.body.querySelector('form.composer')?.before(w.SwitchboardRecorder!.open(true, (f, problem) => f ? void this.upload(f) : problem && this.showError(problem)));
  }

  private async upload(file: File): Promise<void> {
    const s = this.session;
    if (!s) return;
    const accept = s.config.accept?.length ? s.config.accept : DEFAULT_ACCEPT;
    const max = s.config.max_upload_bytes;
    const why = uploadProblem(file, accept, max);
    if (why) {
      this.showError(t(why === 'size' ? 'tooLarge' : 'badType', { name: file.name, max: formatBytes(max) }));
      return;
    }
    const body = this.el.input.value.trim();
    this.el.input.value = '';
    const p: Pending = { client_id: newClientID(), body: [t('uploading', { name: file.name }), body].filter(Boolean).join('\n'), upload: true };
    this.timeline.pending.push(p);
    this.renderLog(true);
    try {
      const m = await this.api.upload(s.visitor_token, file, body, p.client_id, this.left !== '');
      if (m.conversation_id !== this.left) this.left = '';
      if (m.conversation_id !== this.ended?.conversation_id) this.ended = undefined;
      this.timeline.ack(p.client_id, m);
      if (!s.conversation_id) s.conversation_id = m.conversation_id;
    } catch (err) {
      this.timeline.pending = this.timeline.pending.filter((x) => x !== p);
      const status = err instanceof HTTPError ? err.status : 0;
      this.showError(status === 413 ? t('tooLarge', { name: file.name, max: formatBytes(max) })
        : status === 415 ? t('badType', { name: file.name }) : err);
    }
    this.renderLog(true);
    if (!this.connected) this.socket.start();
  }

  private async loadOlder(): Promise<void> {
    const before = this.timeline.firstID();
    const token = this.session?.visitor_token;
    if (!before || !token || this.loadingHistory || !this.moreHistory) return;
    this.loadingHistory = true;
    const log = this.el.log;
    const fromBottom = log.scrollHeight - log.scrollTop;
    try {
      const older = await this.api.history(token, before, HISTORY_PAGE);
      this.moreHistory = older.length >= HISTORY_PAGE;
      this.timeline.add(...older);
    } catch (err) {
      this.showError(err);
    } finally {
      this.loadingHistory = false;
    }
    this.renderLog();
    log.scrollTop = log.scrollHeight - fromBottom; // keep the reader's place
  }

  private showError(err: unknown): void {
    this.error = typeof err === 'string' ? err
      : t('error', { reason: err instanceof TypeError ? t('network') : err instanceof Error ? err.message : String(err) });
    this.el.errorBox.textContent = this.error;
    this.el.errorBox.hidden = false;
    clearTimeout(this.errorTimer);
    this.errorTimer = setTimeout(() => { this.el.errorBox.hidden = true; }, 8_000);
  }
  private errorTimer?: ReturnType<typeof setTimeout>;

  private offlineDraft(): boolean {
    return !!this.el.body.querySelector<HTMLTextAreaElement>('form.offline textarea')?.value;
  }

  // --- drawing -------------------------------------------------------------

  private build(): void {
    const { wrap, launcher, badge, panel, status, title, body, log, input, file } = this.el;
    this.root.append(h('style', {}, css), wrap);
    wrap.className = 'sb';
    Object.assign(launcher, { type: 'button', className: 'launcher' });
    launcher.setAttribute('aria-label', t('open'));
    launcher.setAttribute('aria-expanded', 'false');
    launcher.dataset.testid = 'launcher';
    launcher.append(icon('chat'), badge);
    launcher.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
    panel.className = 'panel';
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', t('title'));
    panel.dataset.testid = 'panel';
    panel.addEventListener('keydown', (e) => e.key === 'Escape' && this.close());
    title.textContent = t('title');
    log.className = 'log';
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.dataset.testid = 'log';
    log.addEventListener('scroll', () => log.scrollTop < 40 && void this.loadOlder());
    input.rows = 1;
    input.placeholder = t('placeholder');
    input.setAttribute('aria-label', t('message'));
    input.dataset.testid = 'input';
    input.addEventListener('input', () => {
      this.setTyping(!!input.value);
      this.scheduleDeflect();
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendText(input.value);
        input.value = '';
      }
    });
    file.type = 'file';
    file.hidden = true;
    file.dataset.testid = 'file';
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      file.value = '';
      if (f) void this.upload(f);
    });
    panel.append(
      h('header', {}, title, status, h('button', { type: 'button', class: 'icon', 'aria-label': t('close'), onclick: () => this.close() }, icon('close'))),
      body,
    );
    wrap.append(panel, launcher);
    this.render();
  }

  private render(): void {
    const { body, status, log, typing, errorBox } = this.el;
    this.el.panel.dataset.state = this.socketState; // for tests and the page's own styling
    status.textContent = this.mode !== 'chat' ? ''
      : this.socketState === 'connecting' ? t('connecting')
      : this.socketState === 'retrying' ? t('reconnecting') : '';
    const shown = this.mode + (this.mode === 'chat' && this.reading ? ':read' : '');
    if (body.dataset.mode !== shown || (this.reading && !body.contains(this.reading))) {
      body.dataset.mode = shown;
      body.replaceChildren(...(
        this.mode === 'chat' && this.reading ? [this.reading, errorBox, this.el.deflect, this.composer()]
        : this.mode === 'chat' ? [this.calls.el, log, typing, errorBox, this.el.deflect, this.composer()]
        : this.mode === 'prechat' ? [this.prechatForm(), errorBox]
        : this.mode === 'offline' ? [this.offlineForm(), errorBox]
        : this.mode === 'thanks' ? [h('p', { class: 'note', 'data-testid': 'thanks' }, t('thanks'))]
        : [h('p', { class: 'note' }, t('connecting')), errorBox]));
    }
    this.renderLog();
  }

  private composer(): HTMLFormElement {
    const { input, file } = this.el;
    const accept = this.session?.config.accept?.length ? this.session.config.accept : DEFAULT_ACCEPT;
    file.accept = accept.join(',');
    return h('form', { class: 'composer', onsubmit: (e: Event) => {
      e.preventDefault();
      this.sendText(input.value);
      input.value = '';
      input.focus();
    } },
    h('button', { type: 'button', class: 'icon', 'aria-label': t('attach'), 'data-testid': 'attach', onclick: () => file.click() }, icon('clip')),
    ...(accept.includes('video/webm') && window.MediaRecorder ? [h('button', { type: 'button', class: 'icon', 'aria-label': t('recVideo'), 'data-testid': 'record-video', onclick: () => void this.record() }, icon('cam'))] : []),
    file, input,
    h('button', { type: 'submit', class: 'icon send', 'aria-label': t('send'), 'data-testid': 'send' }, icon('send')));
  }

  private renderLog(toBottom = false): void {
    const log = this.el.log;
    this.calls.el.hidden = !this.session?.conversation_id; // a call lives in a conversation: write first
    const atBottom = toBottom || log.scrollHeight - log.scrollTop - log.clientHeight < 60;
    const fileURL = (url: string) => this.api.attachmentURL(url, this.session?.visitor_token ?? '');
    const greeting = this.session?.config.greeting || t('greeting');
    log.replaceChildren(
      ...(this.loadingHistory ? [h('p', { class: 'note' }, t('older'))] : []),
      ...(this.moreHistory && this.timeline.messages.length >= HISTORY_PAGE ? [] : [h('div', { class: 'msg out', 'data-testid': 'greeting' }, h('div', { class: 'bubble' }, greeting))]),
      ...this.timeline.messages.map((m) => messageView(m, m.direction === 'in' && this.timeline.isRead(m), fileURL)),
      ...this.timeline.pending.map((p) => pendingView(p, () => this.retry(p))),
      ...(this.wait?.text && !this.ended ? [h('p', { class: 'note', role: 'status', 'data-testid': 'wait' }, this.wait.text)] : []),
      ...(this.ended ? [this.endedView(this.ended.text)] : []),
    );
    if (atBottom) log.scrollTop = log.scrollHeight;
    this.renderBadge();
  }

  /** endedView says the chat has ended, in the widget's words, with a way to start a new one. */
  private endedView(text: string): HTMLElement {
    const sv = this.survey?.conversation_id === this.ended?.conversation_id ? this.survey : undefined;
    return h('div', { class: 'ended', role: 'status', 'data-testid': 'ended' },
      h('p', { 'data-testid': 'ended-text' }, text),
      ...(sv ? [this.surveyView(sv)] : []),
      h('button', { type: 'button', class: 'primary', 'data-testid': 'new-chat', onclick: () => this.startNew() }, t('newChat')));
  }

  /** surveyView asks the survey's question: a rating sends it, with the comment written so far; once answered, thanks. */
  private surveyView(sv: Survey): HTMLElement {
    if (sv.state === 'answered') return h('p', { 'data-testid': 'survey-thanks' }, sv.thanks ?? '');
    const comment = h('textarea', { 'aria-label': sv.comment_prompt, placeholder: sv.comment_prompt });
    return h('div', { 'data-testid': 'survey' }, sv.question ?? '', comment, h('div', {}, ...[1, 2, 3, 4, 5].map((n) => h('button', {
      type: 'button', class: 'cb', 'aria-label': t('rate', { n }), 'data-testid': `rate-${n}`,
      onclick: () => this.socket.send({ type: 'csat', rating: n, comment: comment.value }) }, String(n)))));
  }

  /**
   * startNew leaves the ended conversation on screen for a new one: an empty
   * timeline under the greeting; the visitor's next message starts it
   * (new_conversation), and the old one stays resolved.
   */
  private startNew(): void {
    if (!this.ended || !this.session) return;
    this.left = this.ended.conversation_id;
    this.ended = undefined;
    this.session.conversation_id = '';
    this.timeline.clear();
    this.contextSent = false;
    this.moreHistory = false;
    this.renderLog(true);
    this.el.input.focus();
  }

  private renderBadge(): void {
    const ms = this.timeline.messages;
    const seen = this.saved().seen;
    const from = seen ? ms.findIndex((m) => m.id === seen) : -1;
    const unread = this.isOpen || (seen && from < 0) ? 0 : ms.slice(from + 1).filter((m) => m.direction === 'out').length;
    this.el.badge.hidden = unread === 0;
    this.el.badge.textContent = String(unread);
    this.el.launcher.setAttribute('aria-label', unread ? `${t('open')} (${t('unread', { n: unread })})` : t('open'));
  }

  private prechatForm(): HTMLFormElement {
    const fields = this.session?.config.prechat_fields ?? [];
    const inputs = fields.map((f) => h('input', {
      name: f, required: true,
      type: f === 'email' ? 'email' : f === 'phone' ? 'tel' : 'text',
      autocomplete: f === 'email' ? 'email' : f === 'phone' ? 'tel' : f === 'name' ? 'name' : 'on',
      value: f === 'email' ? this.identity.email : f === 'name' ? this.identity.name : undefined,
    }));
    const submit = h('button', { type: 'submit', class: 'primary' }, t('start'));
    return h('form', { class: 'card prechat', 'data-testid': 'prechat', onsubmit: async (e: Event) => {
      e.preventDefault();
      const answers: Record<string, string> = {};
      for (const i of inputs) answers[i.name] = i.value.trim();
      submit.disabled = true;
      const ok = await this.ensureSession(answers);
      submit.disabled = false;
      if (!ok) return;
      this.mode = 'chat';
      this.socket.start();
      this.render();
      this.el.input.focus();
    } },
    h('p', { class: 'note' }, t('prechatIntro')),
    ...fields.map((f, i) => h('label', {}, fieldLabel(f), inputs[i])),
    submit);
  }

  private offlineForm(): HTMLFormElement {
    const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'email', value: this.identity.email });
    const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', value: this.identity.name });
    const text = h('textarea', { name: 'body', required: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('leave'));
    return h('form', { class: 'card offline', 'data-testid': 'offline', onsubmit: async (e: Event) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        await this.api.offline({ email: email.value.trim(), name: name.value.trim(), body: text.value.trim(),
          context: pageContext(location.href, document.title, document.referrer, this.helpSession), visitor_token: this.session?.visitor_token });
        this.mode = 'thanks';
        this.render();
      } catch (err) {
        this.showError(err);
      } finally {
        submit.disabled = false;
      }
    } },
    h('p', { class: 'note' }, t(this.session?.config.offline ? 'offlineIntro' : 'unreachable')),
    h('label', {}, t('email'), email), h('label', {}, t('name'), name), h('label', {}, t('message'), text), submit);
  }
}
