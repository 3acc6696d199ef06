#!/usr/bin/env node
// A supervisor monitors a live call from the wall, in real browsers (docs/wall.md,
// ADR 0045): a customer's Chromium calls from the widget, Ana's Chromium
// answers on the desktop, and the admin's Chromium on /wall listens (getStats
// shows the call's audio arriving at her browser), whispers (her microphone's
// audio goes out, the call records the whisper), and leaves; the call goes on,
// and the customer's widget never shows that she was there. It exits non-zero
// with a message naming the failed step.
//
//   node web/e2e/monitor.mjs --base http://127.0.0.1:18080 [--password P] [--widget-key K] [--timeout 20000]
import { parseArgs } from 'node:util';
import { api, businessSite, chromium, CHROMIUM_ARGS, openWidget, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    timeout: { type: 'string', default: '20000' },
  },
  strict: true,
});
if (!opts.base) {
  console.error('monitor: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

const launch = () =>
  chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...MEDIA_ARGS] });

/** trackPeers makes the page's RTCPeerConnections reachable as window.__pcs for getStats(). */
async function trackPeers(ctx) {
  await ctx.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const pcs = [];
    Object.defineProperty(window, '__pcs', { value: pcs });
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        pcs.push(this);
      }
    };
  });
}

/** audio is the page's newest live peer connection's audio bytes in and out. */
async function audio(page) {
  return page.evaluate(async () => {
    const pc = (window.__pcs ?? []).filter((p) => p.connectionState !== 'closed').at(-1);
    const r = { in: 0, out: 0, pcs: (window.__pcs ?? []).length };
    if (!pc) return r;
    (await pc.getStats()).forEach((s) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') r.in += s.bytesReceived ?? 0;
      if (s.type === 'outbound-rtp') r.out += s.bytesSent ?? 0;
    });
    return r;
  });
}

async function waitUntil(what, fn, ms = timeout, every = 150) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last && last.ok !== false) return last;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(last?.seen ?? last)})`);
    await new Promise((ok) => setTimeout(ok, every));
  }
}

/** growing waits until the page's audio counter (in or out) grows between two samples. */
async function growing(who, page, key) {
  const first = await audio(page);
  const now = await waitUntil(`${who}: audio ${key} growing`, async () => {
    const s = await audio(page);
    return s[key] > first[key] && s[key] > 0 ? s : { ok: false, seen: { first, s } };
  });
  steps.log(`  ${who}: audio ${now.in}↓ ${now.out}↑ bytes`);
}

async function waitState(who, loc, state) {
  await waitUntil(`${who}: call state ${state}`, async () => {
    const got = await loc.first().getAttribute('data-state', { timeout: 1000 }).catch(() => null);
    return got === state ? true : { ok: false, seen: got };
  });
}

async function main() {
  const site = await businessSite(base, opts['widget-key']);
  const customerBrowser = await launch();
  const staffBrowser = await launch();
  try {
    const admin = await signedIn(staffBrowser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
    await trackPeers(admin.ctx);
    const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
    const adminID = (await adm('GET', '/api/v1/me', undefined, 200)).user.id;
    watcher.watch(admin.page, 'admin');

    let ana;
    await steps.run('setup: Ben offline, the demo backlog taken by the admin', async () => {
      const ben = await signedIn(staffBrowser, { base, tenant: opts.tenant, email: 'ben@northwind.example', password: opts.password, timeout });
      await api(ben.ctx.request, base, 'PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
      await ben.ctx.close();
      const open = await adm('GET', '/api/v1/conversations?status=open&limit=100', undefined, 200);
      for (const c of open.items) if (!c.assignee_id) await adm('PATCH', `/api/v1/conversations/${c.id}`, { assignee_id: adminID }, 200);
      ana = await signedIn(staffBrowser, { base, tenant: opts.tenant, email: 'ana@northwind.example', password: opts.password, timeout });
      await trackPeers(ana.ctx);
      watcher.watch(ana.page, 'ana');
      ana.id = (await api(ana.ctx.request, base, 'GET', '/api/v1/me', undefined, 200)).user.id;
    });

    const cctx = await customerBrowser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
    cctx.setDefaultTimeout(timeout);
    await trackPeers(cctx);
    const customer = watcher.watch(await cctx.newPage(), 'customer');
    let conv = '';
    const question = `Please call me about my order (${Date.now()})`;
    await steps.run('customer: opens the chat and writes', async () => {
      await customer.goto(site.url);
      await openWidget(customer, { name: 'Mona Monitored', email: `mona+${Date.now()}@example.com` }, timeout);
      await customer.getByTestId('input').fill(question);
      await customer.getByTestId('input').press('Enter');
      await customer.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: question }).waitFor();
      await waitUntil('the conversation', async () => {
        const list = await adm('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
        for (const c of list.items) {
          const msgs = await adm('GET', `/api/v1/conversations/${c.id}/messages?limit=100`, undefined, 200);
          if (msgs.items.some((m) => m.body === question)) conv = c.id;
        }
        return !!conv;
      }, timeout, 250);
    });

    let callID = '';
    await steps.run('Ana takes the chat; the customer calls; Ana accepts', async () => {
      await adm('PATCH', `/api/v1/conversations/${conv}`, { assignee_id: ana.id }, 200);
      await ana.page.goto(`${base}/desktop/c/${conv}`);
      await ana.page.getByTestId('presence-select').selectOption('available');
      await customer.getByTestId('call-audio').click();
      const accept = ana.page.locator('[data-testid="call-accept"], [data-testid="call-dock-accept"]').first();
      await accept.waitFor({ timeout });
      await accept.click();
      await waitState('customer', customer.getByTestId('call-state'), 'active');
      callID = (await adm('GET', `/api/v1/conversations/${conv}/calls`, undefined, 200)).items[0].id;
    });

    const wall = admin.page;
    const row = () => wall.locator(`[data-testid="wall-call"][data-call="${callID}"]`);
    await steps.run('the admin listens from the wall: the call\'s audio arrives in her browser', async () => {
      await wall.goto(`${base}/wall`);
      await row().waitFor();
      await row().getByTestId('wall-call-listen').click();
      await row().getByTestId('wall-call-monitoring').waitFor();
      await waitUntil('her leg connected', async () => {
        const c = await wall.evaluate(() => `${(window.__pcs ?? []).at(-1)?.connectionState ?? 'none'} of ${window.__pcs?.length}`);
        const err = await wall.getByTestId('wall-calls-error').innerText({ timeout: 200 }).catch(() => '');
        const live = await adm('GET', '/api/v1/calls', undefined, 200);
        return c.startsWith('connected') ? true : { ok: false, seen: `${c} ${err} ${JSON.stringify(live.items.map((x) => [x.id, x.monitor]))}` };
      });
      await growing('admin listening', wall, 'in');
      await growing('Ana', ana.page, 'in');
      await growing('customer', customer, 'in');
    });

    await steps.run('she whispers to Ana on the same leg; the call records it', async () => {
      const pcs = (await audio(wall)).pcs;
      await row().getByTestId('wall-call-whisper').click();
      await waitUntil('whisper pressed', async () => (await row().getByTestId('wall-call-whisper').getAttribute('aria-pressed')) === 'true');
      await growing('admin whispering', wall, 'out');
      await growing('Ana hearing', ana.page, 'in');
      if ((await audio(wall)).pcs !== pcs) throw new Error('switching mode opened a new peer connection');
      const v = await adm('GET', `/api/v1/calls/${callID}`, undefined, 200);
      const modes = v.events.filter((e) => e.type === 'monitored').map((e) => e.detail);
      if (modes.join(',') !== 'listen,whisper') throw new Error(`the call's monitoring events: ${modes.join(',')}`);
    });

    await steps.run('she leaves; the call goes on; the customer never saw her', async () => {
      await row().getByTestId('wall-call-leave').click();
      await row().getByTestId('wall-call-monitoring').waitFor({ state: 'detached' });
      await growing('customer after she left', customer, 'in');
      const v = await adm('GET', `/api/v1/calls/${callID}`, undefined, 200);
      if (v.state !== 'active') throw new Error(`the call after she left is ${v.state}`);
      const text = await customer.locator('body').innerText();
      if (/listens|whispers|monitor/i.test(text)) throw new Error(`the customer's widget mentions the monitoring: ${text}`);
      await ana.page.getByTestId('call-hangup').click();
      await waitState('customer', customer.getByTestId('call-state'), 'ended');
    });

    if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
    console.log('monitor: listen, whisper and leave from the wall held');
  } finally {
    await customerBrowser.close();
    await staffBrowser.close();
    site.close();
  }
}

main().catch((err) => {
  console.error(`monitor: step "${steps.current}" failed: ${err.stack ?? err}`);
  if (watcher.consoleErrors.length) console.error(`console:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exit(1);
});
