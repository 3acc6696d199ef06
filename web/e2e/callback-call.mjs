#!/usr/bin/env node
// "Call now" for a held callback end to end (docs/voice.md, "Outbound calls",
// ADR 0044): the admin gives the workspace a trunk whose provider is a real
// phone (baresip, started by e2e/callbackui_test.go without auto-answer) and
// asks for a callback; Ana, the only agent available, accepts its offer on
// her desktop in Chromium (fake microphone: a known tone); the callback shows
// in her panel with its number; she clicks Call now; the state says Ringing
// while baresip rings; this script then prints "callback: answer now" and the
// Go test answers the phone; the state says Connected, getStats() shows audio
// both ways; she hangs up; the state says Ended (you hung up) and the callback
// has its attempt "answered".
//
//   node web/e2e/callback-call.mjs --base URL --provider 127.0.0.1:PORT --phone +15557000111 --fake-audio FILE.wav
import { parseArgs } from 'node:util';
import { api, chromium, CHROMIUM_ARGS, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    provider: { type: 'string' },
    phone: { type: 'string', default: '+15557000111' },
    'fake-audio': { type: 'string', default: '' },
    timeout: { type: 'string', default: '20000' },
  },
  strict: true,
});
if (!opts.base || !opts.provider || !opts['fake-audio']) {
  console.error('callback-call: --base, --provider and --fake-audio are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();

async function waitUntil(what, fn, ms = timeout, every = 100) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last && last.ok !== false) return last;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(last?.seen ?? last)})`);
    await new Promise((ok) => setTimeout(ok, every));
  }
}

async function stats(page) {
  return page.evaluate(async () => {
    const pc = window.__pcs.filter((p) => p.connectionState !== 'closed').at(-1);
    const r = { audioIn: 0, audioOut: 0 };
    if (!pc) return r;
    (await pc.getStats()).forEach((s) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') r.audioIn += s.bytesReceived ?? 0;
      if (s.type === 'outbound-rtp') r.audioOut += s.bytesSent ?? 0;
    });
    return r;
  });
}

const phase = (page) => page.getByTestId('callback-state').getAttribute('data-phase', { timeout: 1000 }).catch(() => null);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${opts['fake-audio']}`, '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const admin = await signedIn(browser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
    const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
    const adminID = (await adm('GET', '/api/v1/me', undefined, 200)).user.id;
    let queue;
    await steps.run('setup: a trunk to the phone; agents offline, the demo backlog with the admin', async () => {
      for (const email of ['ana@northwind.example', 'ben@northwind.example']) {
        const a = await signedIn(browser, { base, tenant: opts.tenant, email, password: opts.password, timeout });
        await api(a.ctx.request, base, 'PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
        await a.ctx.close();
      }
      const open = await adm('GET', '/api/v1/conversations?status=open&limit=100', undefined, 200);
      for (const c of open.items) if (!c.assignee_id) await adm('PATCH', `/api/v1/conversations/${c.id}`, { assignee_id: adminID }, 200);
      const queues = await adm('GET', '/api/v1/queues', undefined, 200);
      queue = (queues.items ?? queues).find((q) => q.default) ?? (queues.items ?? queues)[0];
      if (!queue) throw new Error('the demo has no queue');
      await adm('POST', '/api/v1/phone/trunks', { name: 'Out', provider: opts.provider, accept_from: ['127.0.0.1/32'],
        numbers: [{ number: '+15557000100', queue_id: queue.id }] }, 201);
    });

    const ana = await signedIn(browser, { base, tenant: opts.tenant, email: 'ana@northwind.example', password: opts.password, timeout });
    await ana.ctx.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      const pcs = [];
      Object.defineProperty(window, '__pcs', { value: pcs });
      window.RTCPeerConnection = class extends Native {
        constructor(...args) { super(...args); pcs.push(this); }
      };
    });
    watcher.watch(ana.page, 'ana');
    await steps.run('Ana opens her desktop and becomes available', async () => {
      await ana.page.goto(`${base}/desktop`);
      await ana.page.getByTestId('presence-select').waitFor();
      await ana.page.getByTestId('presence-select').selectOption('available');
    });

    let cb;
    await steps.run('a callback is asked for; Ana accepts its offer and it shows in her panel with its number', async () => {
      cb = await adm('POST', '/api/v1/callbacks', { phone: opts.phone, queue_id: queue.id }, 201);
      await ana.page.getByTestId('offer-accept').first().click({ timeout: timeout * 2 });
      const item = ana.page.locator(`[data-testid="callback-item"][data-callback-id="${cb.id}"]`);
      await item.filter({ hasText: opts.phone }).waitFor();
      await item.filter({ hasText: 'Attempts so far: 0' }).waitFor();
    });

    await steps.run('Ana clicks Call now: her leg connects and the state says Ringing while the phone rings', async () => {
      await ana.page.getByRole('button', { name: `Call ${opts.phone} now` }).click();
      await waitUntil('Ana: ringing', async () => ((await phase(ana.page)) === 'ringing' ? true : { ok: false, seen: await phase(ana.page) }), timeout * 2);
      const text = await ana.page.getByTestId('callback-state').textContent();
      if (!text.includes(`Ringing ${opts.phone}`)) throw new Error(`the state line says "${text}"`);
    });

    console.log('callback: answer now');
    await steps.run('the phone answers: Connected, audio both ways', async () => {
      await waitUntil('Ana: connected', async () => ((await phase(ana.page)) === 'connected' ? true : { ok: false, seen: await phase(ana.page) }), timeout * 2);
      const first = await stats(ana.page);
      const now = await waitUntil('audio both ways growing', async () => {
        const s = await stats(ana.page);
        return s.audioIn > first.audioIn && s.audioOut > first.audioOut ? s : { ok: false, seen: s };
      });
      steps.log(`  Ana: audio ${now.audioIn}↓ ${now.audioOut}↑ bytes`);
      await new Promise((ok) => setTimeout(ok, 3000)); // the phone records Ana's tone
    });

    await steps.run('Ana hangs up: Ended (the phone gets BYE); the attempt is recorded answered; Close empties the panel', async () => {
      await ana.page.getByTestId('callback-hangup').click();
      await waitUntil('Ana: ended', async () => ((await phase(ana.page)) === 'ended' ? true : { ok: false, seen: await phase(ana.page) }), timeout * 2);
      const text = await ana.page.getByTestId('callback-state').textContent();
      if (!text.startsWith('Call ended')) throw new Error(`the state line says "${text}"`);
      const got = await adm('GET', `/api/v1/callbacks/${cb.id}`, undefined, 200);
      if (got.attempts?.[0]?.outcome !== 'answered') throw new Error(`the callback is ${JSON.stringify(got)}, want its attempt answered`);
      await ana.page.getByTestId('callback-dismiss').click();
      await ana.page.getByTestId('callback-panel').waitFor({ state: 'detached' });
    });
    if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
    console.log('callback: a held callback called back from the desktop');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(`callback-call: step "${steps.current}" failed: ${err.stack ?? err}`);
  if (watcher.consoleErrors.length) console.error(`console:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exit(1);
});
