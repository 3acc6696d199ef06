// Small DOM builders for the widget: an element helper, the icons, and one
// message bubble. Text always goes in as text nodes, never as HTML.
import { t } from './i18n';
import { formatBytes, type Message } from './protocol';
import type { Pending } from './timeline';

type Attrs = Record<string, string | boolean | number | EventListener | undefined>;

/** h makes an element with attributes ("on…" keys become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | false | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== false && c !== undefined) el.append(c);
  return el;
}

const paths = {
  chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z',
  close: 'M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7 4.3 4.3l6.3 6.3 6.3-6.3z',
  send: 'M2 21 23 12 2 3v7l15 2-15 2z',
  cam: 'M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z',
  clip: 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z',
};

/** icon returns an inline SVG icon. */
export function icon(name: keyof typeof paths): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', paths[name]);
  svg.append(p);
  return svg;
}

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** messageView renders a stored message; fileURL makes its attachments' links. */
export function messageView(m: Message, read: boolean, fileURL: (url: string) => string): HTMLElement {
  const mine = m.direction === 'in';
  const atts = (m.attachments ?? []).map((a) => {
    const href = fileURL(a.url);
    const label = `${a.name} (${formatBytes(a.size)})`;
    return h('a', { class: 'att', href, target: '_blank', rel: 'noopener' },
      a.content_type.startsWith('image/') ? h('img', { src: href, alt: label }) : label);
  });
  return h('div', { class: `msg ${mine ? 'in' : 'out'}`, 'data-testid': 'message', 'data-id': m.id,
    'data-direction': m.direction, 'data-status': read ? 'read' : m.status },
    h('div', { class: 'bubble' }, m.body, ...atts),
    h('div', { class: 'meta' },
      !mine && m.author_name && h('span', {}, m.author_name),
      h('span', {}, time(m.created_at)),
      mine && h('span', { class: 'tick', title: t(read ? 'read' : 'sent'), 'aria-label': t(read ? 'read' : 'sent') }, read ? '✓✓' : '✓')));
}

/** pendingView renders a message on its way, or refused with a retry button. */
export function pendingView(p: Pending, retry: () => void): HTMLElement {
  return h('div', { class: `msg in${p.failed ? ' failed' : ''}`, 'data-testid': 'message', 'data-direction': 'in', 'data-status': p.failed ? 'failed' : 'sending' },
    h('div', { class: 'bubble' }, p.body),
    h('div', { class: 'meta' }, p.failed
      ? h('span', {}, t('failed', { reason: p.failed }), ' ', h('button', { type: 'button', onclick: retry }, t('retry')))
      : t('sending')));
}
