// The visitor's conversation as the widget holds it: stored messages in order,
// the visitor's messages still on their way (pending, keyed by client id), and
// how far the business has read. Frames may arrive twice (a resume, an ack and
// the same message from another tab); the timeline keeps each message once.
import type { Message, PageContext } from './protocol';

/** Pending is a message the visitor wrote that the server has not acknowledged yet. */
export interface Pending {
  client_id: string;
  body: string;
  context?: PageContext;
  failed?: string; // why the server refused it, shown beside the bubble
  upload?: boolean; // a file on its way over HTTP, not a frame to resend
  fresh?: boolean; // starts a new conversation (the visitor chose "Start a new chat")
}

/** Timeline is the ordered, de-duplicated conversation. */
export class Timeline {
  messages: Message[] = [];
  pending: Pending[] = [];
  /** readUpTo is the last visitor message the business has read. */
  readUpTo = '';
  private readonly ids = new Set<string>();

  /** add puts stored messages in place (oldest first); it reports whether any was new. */
  add(...ms: Message[]): boolean {
    let changed = false;
    for (const m of ms) {
      if (!m?.id) continue;
      if (this.ids.has(m.id)) {
        const i = this.messages.findIndex((x) => x.id === m.id);
        if (i >= 0 && this.messages[i]!.status !== m.status) {
          this.messages[i] = m;
          changed = true;
        }
        continue;
      }
      this.ids.add(m.id);
      changed = true;
      // Insert by time (parsed: RFC 3339 strings do not sort as text) so that
      // history pages fit in; equal times keep the order of arrival.
      const at = Date.parse(m.created_at);
      let i = this.messages.length;
      while (i > 0 && Date.parse(this.messages[i - 1]!.created_at) > at) i--;
      this.messages.splice(i, 0, m);
    }
    return changed;
  }

  /** ack turns a pending message into the stored one. */
  ack(clientID: string, m: Message): void {
    this.pending = this.pending.filter((p) => p.client_id !== clientID);
    this.add(m);
  }

  /** fail marks a pending message as refused, with the server's reason. */
  fail(clientID: string, reason: string): void {
    const p = this.pending.find((x) => x.client_id === clientID);
    if (p) p.failed = reason;
  }

  /** lastID is the newest stored message: where a reconnect resumes. */
  lastID(): string | undefined {
    return this.messages[this.messages.length - 1]?.id;
  }

  /** firstID is the oldest stored message: where scrolling back continues. */
  firstID(): string | undefined {
    return this.messages[0]?.id;
  }

  /** lastFromBusiness is the newest message the visitor received, for read reports. */
  lastFromBusiness(): Message | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.direction === 'out') return this.messages[i];
    return undefined;
  }

  /** isRead tells whether the business has read the visitor's message m. */
  isRead(m: Message): boolean {
    if (m.status === 'read') return true;
    if (!this.readUpTo) return false;
    const upTo = this.messages.findIndex((x) => x.id === this.readUpTo);
    return upTo >= 0 && this.messages.indexOf(m) <= upTo;
  }

  /** clear forgets everything (a new visitor on the same page). */
  clear(): void {
    this.messages = [];
    this.pending = [];
    this.readUpTo = '';
    this.ids.clear();
  }
}
