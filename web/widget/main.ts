// The embeddable Switchboard chat. A business adds one tag to its pages:
//
//   <script src="https://center.example/widget/widget.js" data-switchboard-widget="wk_…" async></script>
//
// with, for signed-in users, data-user-id and data-user-hash (hex
// HMAC-SHA256 of the user id under the widget's identity secret), data-name
// and data-email — or calls window.Switchboard.identify({userId, userHash,
// name, email}) later. The center's address comes from the script's own src.
import { baseFromScript, type Identity } from './protocol';
import { Widget } from './widget';

/** SwitchboardAPI is window.Switchboard, for the page's own code. */
interface SwitchboardAPI {
  identify(id: Identity): void;
  open(): void;
  close(): void;
  reset(): void;
}

declare global {
  interface Window {
    Switchboard?: SwitchboardAPI;
  }
}

function start(script: HTMLScriptElement): void {
  const key = script.dataset.switchboardWidget;
  if (!key) {
    console.error('Switchboard widget: the script tag needs data-switchboard-widget="wk_…"');
    return;
  }
  const d = script.dataset;
  const identity: Identity = { userId: d.userId, userHash: d.userHash, name: d.name, email: d.email };
  // Calls made before the page has a body wait for the widget.
  let widget: Widget | undefined;
  const queued: ((w: Widget) => void)[] = [];
  const call = (fn: (w: Widget) => void) => (widget ? fn(widget) : queued.push(fn));
  window.Switchboard = {
    identify: (id) => call((w) => w.identify(id)),
    open: () => call((w) => w.open()),
    close: () => call((w) => w.close()),
    reset: () => call((w) => w.reset()),
  };
  const mount = () => {
    const host = document.createElement('switchboard-widget');
    document.body.append(host);
    widget = new Widget(host, baseFromScript(script.src), key, identity, d.helpSession);
    for (const fn of queued.splice(0)) fn(widget);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

// currentScript is this tag while it runs (async included); the attribute
// lookup covers a loader that injected it some other way. Loaded twice, the
// widget starts once.
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-switchboard-widget]');
if (script && !window.Switchboard) start(script);
