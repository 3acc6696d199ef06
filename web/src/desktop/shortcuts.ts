// Keyboard shortcuts. One window listener turns keys into actions and announces
// each as a DOM CustomEvent, so any part of the app can answer without importing
// the others:
//
//   window 'switchboard:shortcut', detail {action}, cancelable
//     action: next | prev | open | search | inbox | accept | decline | resolve | help
//             | kb-link | kb-insert
//
// A handler that acts calls preventDefault(), so emitShortcut can tell whether
// anyone took the key; 'g i' falls back to opening the inbox. Who answers what:
// the inbox next/prev/open/search/inbox, the offer cards accept/decline (Enter
// accepts while a card shows), the conversation view resolve, the help overlay
// help, the knowledge panel kb-link (l: link the focused suggestion) and
// kb-insert (i: link it and insert its resolution into the reply). Keys typed
// into a field, or with Ctrl, Alt or Meta, are never shortcuts: the composer
// keeps its own keys.
import { navigate } from '../router';

/** ShortcutAction is what a key asks for. */
export type ShortcutAction =
  | 'next' | 'prev' | 'open' | 'search' | 'inbox' | 'accept' | 'decline' | 'resolve' | 'help'
  | 'kb-link' | 'kb-insert';

/** SHORTCUT_EVENT is the name of the CustomEvent every shortcut is announced with. */
export const SHORTCUT_EVENT = 'switchboard:shortcut';

/** ShortcutDetail is the CustomEvent's detail. */
export interface ShortcutDetail {
  action: ShortcutAction;
}

/** isTyping tells whether a key press belongs to a field rather than to the page. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
}

/**
 * actionFor maps a key (after an optional pending 'g') to an action. hasOffers
 * makes Enter accept the waiting offer instead of opening the selected row.
 */
export function actionFor(key: string, pendingG: boolean, hasOffers: boolean): ShortcutAction | 'g' | null {
  if (pendingG) return key === 'i' ? 'inbox' : null;
  switch (key) {
    case 'j':
      return 'next';
    case 'k':
      return 'prev';
    case 'Enter':
      return hasOffers ? 'accept' : 'open';
    case '/':
      return 'search';
    case 'g':
      return 'g';
    case 'a':
      return 'accept';
    case 'd':
      return 'decline';
    case 'e':
      return 'resolve';
    case '?':
      return 'help';
    case 'l':
      return 'kb-link';
    case 'i':
      return 'kb-insert';
    default:
      return null;
  }
}

/** emitShortcut announces action; it returns true when some handler took it. */
export function emitShortcut(action: ShortcutAction): boolean {
  const ev = new CustomEvent<ShortcutDetail>(SHORTCUT_EVENT, { detail: { action }, cancelable: true });
  return !window.dispatchEvent(ev);
}

/** onShortcut calls fn for every shortcut; it returns the function that stops listening. */
export function onShortcut(fn: (action: ShortcutAction, ev: CustomEvent<ShortcutDetail>) => void): () => void {
  const listener = (ev: Event) => {
    const ce = ev as CustomEvent<ShortcutDetail>;
    if (ce.detail?.action) fn(ce.detail.action, ce);
  };
  window.addEventListener(SHORTCUT_EVENT, listener);
  return () => window.removeEventListener(SHORTCUT_EVENT, listener);
}

/**
 * installShortcuts listens for keys on window until the returned function is
 * called. hasOffers is asked at each key press.
 */
export function installShortcuts(hasOffers: () => boolean): () => void {
  let pendingG = false;
  let gTimer: ReturnType<typeof setTimeout> | undefined;
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    // Enter on a focused button or link is that control's own business.
    if (e.key === 'Enter' && e.target instanceof HTMLElement && e.target.closest('button, a, [role="button"]')) return;
    const a = actionFor(e.key, pendingG, hasOffers());
    pendingG = false;
    clearTimeout(gTimer);
    if (a === null) return;
    if (a === 'g') {
      pendingG = true;
      gTimer = setTimeout(() => (pendingG = false), 1500);
      return;
    }
    e.preventDefault();
    const taken = emitShortcut(a);
    if (!taken && a === 'inbox') navigate('/desktop');
  };
  window.addEventListener('keydown', onKey);
  return () => {
    window.removeEventListener('keydown', onKey);
    clearTimeout(gTimer);
  };
}
