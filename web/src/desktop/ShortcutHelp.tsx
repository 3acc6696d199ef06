// The keyboard help overlay (the ? key) and the window listener behind every
// shortcut; the app shell mounts it once.
import { useEffect, useRef } from 'preact/hooks';
import { t, type MessageKey } from '../i18n';
import { hasOfferCards } from './Offers';
import { installShortcuts, onShortcut } from './shortcuts';

const KEYS: [string[], MessageKey][] = [
  [['j'], 'shortcuts.next'],
  [['k'], 'shortcuts.prev'],
  [['Enter'], 'shortcuts.openConversation'],
  [['/'], 'shortcuts.search'],
  [['g', 'i'], 'shortcuts.inbox'],
  [['a'], 'shortcuts.accept'],
  [['d'], 'shortcuts.decline'],
  [['e'], 'shortcuts.resolve'],
  [['l'], 'kb.shortcut.link'],
  [['i'], 'kb.shortcut.insert'],
  [['?'], 'shortcuts.help'],
  [['Esc'], 'shortcuts.close'],
];

/** ShortcutHelp listens for shortcuts and shows their list on '?'. */
export function ShortcutHelp() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => installShortcuts(hasOfferCards), []);
  useEffect(
    () =>
      onShortcut((action, ev) => {
        if (action !== 'help') return;
        ev.preventDefault();
        const d = dialog.current;
        if (d && !d.open) d.showModal();
      }),
    [],
  );
  return (
    <dialog ref={dialog} class="dialog shortcut-help" aria-labelledby="shortcut-help-title" data-testid="shortcut-help">
      <h2 id="shortcut-help-title">{t('shortcuts.title')}</h2>
      <dl class="shortcut-list">
        {KEYS.map(([keys, label]) => (
          <div key={label} class="shortcut-item">
            <dt>
              {keys.map((k, i) => (
                <span key={k}>
                  {i > 0 && <span class="muted"> {t('shortcuts.then')} </span>}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{t(label)}</dd>
          </div>
        ))}
      </dl>
      <div class="dialog-actions">
        <button type="button" class="button" data-testid="shortcut-help-close" onClick={() => dialog.current?.close()}>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}

/** openShortcutHelp shows the overlay, as the ? key does. */
export function openShortcutHelp(): void {
  window.dispatchEvent(new CustomEvent('switchboard:shortcut', { detail: { action: 'help' }, cancelable: true }));
}
