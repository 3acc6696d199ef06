// The calls of Admin → Outbox: the mail the demo's catcher caught.
import { request } from '../api';

/** CaughtMail is one mail in the outbox's list. */
export interface CaughtMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  received_at: string;
}

/** CaughtMailDetail is one mail taken apart for reading. */
export interface CaughtMailDetail extends CaughtMail {
  headers: { name: string; value: string }[] | null;
  text: string;
  html?: string;
  attachments: { name: string; content_type: string; size: number }[];
}

const enc = encodeURIComponent;

/** outboxApi lists the outbox's calls. */
export const outboxApi = {
  mails: async () => (await request<{ items: CaughtMail[] }>('GET', '/api/v1/outbox/mails')).items,
  mail: (id: string) => request<CaughtMailDetail>('GET', `/api/v1/outbox/mails/${enc(id)}`),
  /** htmlURL is where the mail's HTML is served inert, for a sandboxed frame. */
  htmlURL: (id: string) => `/api/v1/outbox/mails/${enc(id)}/html`,
};

/** signInCode finds a portal sign-in code in a mail's subject or text, so the page can show it plainly. */
export function signInCode(m: Pick<CaughtMailDetail, 'subject' | 'text'>): string {
  if (!/sign-in code/i.test(m.subject)) return '';
  return /\b(\d{6})\b/.exec(`${m.subject} ${m.text}`)?.[1] ?? '';
}
