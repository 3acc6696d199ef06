#!/usr/bin/env node
// The phone path end to end with a real phone (docs/voice.md, "Phone
// numbers"): the admin gives the workspace a SIP trunk with a number; Ana
// waits on her desktop in Chromium, whose fake microphone plays a known
// tone (--fake-audio); the Go test (e2e/phone_test.go) makes baresip call
// the number when this script prints "phone: dial now"; Ana accepts the call
// in the desktop exactly as a browser call; getStats() shows audio both ways
// in G.711; she hangs up; the conversation on the phone channel shows the
// call. The Go test then checks with sox that baresip heard her tone.
//
//   node web/e2e/phone.mjs --base URL --number +15550100 --fake-audio FILE.wav [--password P]
import { parseArgs } from 'node:util';
import { api, chromium, CHROMIUM_ARGS, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    number: { type: 'string', default: '+15550100' },
    caller: { type: 'string', default: '+15550111' },
    'fake-audio': { type: 'string', default: '' },
    timeout: { type: 'string', default: '20000' },
  },
  strict: true,
});
if (!opts.base || !opts['fake-audio']) {
  console.error('phone: --base and --fake-audio are required');
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
    const r = { audioIn: 0, audioOut: 0, codecs: [] };
    if (!pc) return r;
    const report = await pc.getStats();
    const codecs = new Map();
    report.forEach((s) => s.type === 'codec' && codecs.set(s.id, s.mimeType));
    report.forEach((s) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') r.audioIn += s.bytesReceived ?? 0;
      if (s.type === 'outbound-rtp') r.audioOut += s.bytesSent ?? 0;
      if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && codecs.get(s.codecId)) r.codecs.push(codecs.get(s.codecId));
    });
    return r;
  });
}

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
    let anaID = '';
    await steps.run('setup: a trunk with the number into Ana\'s queue; agents offline, the demo backlog with the admin', async () => {
      for (const email of ['ana@northwind.example', 'ben@northwind.example']) {
        const a = await signedIn(browser, { base, tenant: opts.tenant, email, password: opts.password, timeout });
        await api(a.ctx.request, base, 'PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
        const id = (await api(a.ctx.request, base, 'GET', '/api/v1/me', undefined, 200)).user.id;
        if (email.startsWith('ana')) anaID = id;
        await a.ctx.close();
      }
      const open = await adm('GET', '/api/v1/conversations?status=open&limit=100', undefined, 200);
      for (const c of open.items) if (!c.assignee_id) await adm('PATCH', `/api/v1/conversations/${c.id}`, { assignee_id: adminID }, 200);
      // Ana is in every queue ("*"): the default one takes the number.
      const queues = await adm('GET', '/api/v1/queues', undefined, 200);
      const queue = (queues.items ?? queues).find((q) => q.default) ?? (queues.items ?? queues)[0];
      if (!queue) throw new Error('the demo has no queue');
      // On the admin page "Phone numbers": a number without its country code is refused, naming the field.
      const page = admin.page;
      await page.goto(`${base}/admin/phone-numbers`);
      await page.getByTestId('trunk-new').click();
      await page.getByTestId('trunk-name').fill('Main line');
      await page.getByTestId('trunk-accept').fill('127.0.0.1');
      await page.getByTestId('number-value').fill(opts.number.replace('+', ''));
      await page.getByTestId('number-queue').selectOption(queue.id);
      await page.getByTestId('trunk-save').click();
      await page.getByTestId('trunk-error').filter({ hasText: 'E.164' }).waitFor();
      await page.getByTestId('number-value').fill(opts.number);
      await page.getByTestId('trunk-save').click();
      await page.locator('[data-testid="trunk-row"][data-name="Main line"]').filter({ hasText: opts.number }).waitFor();
      const trunks = await adm('GET', '/api/v1/phone/trunks', undefined, 200);
      if (trunks.items?.[0]?.numbers?.[0]?.number !== opts.number) throw new Error(`trunks: ${JSON.stringify(trunks)}`);
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

    console.log('phone: dial now');
    await steps.run('the phone call rings on Ana\'s desktop; she accepts it', async () => {
      const button = ana.page.locator('[data-testid="call-accept"], [data-testid="call-dock-accept"]').first();
      await button.waitFor({ timeout: timeout * 2 });
      await button.click();
      await waitUntil('Ana: call state active', async () =>
        (await ana.page.getByTestId('call-state').first().getAttribute('data-state', { timeout: 1000 }).catch(() => null)) === 'active');
    });

    await steps.run('media: the caller\'s audio reaches Ana and hers goes out, in G.711', async () => {
      const first = await stats(ana.page);
      const now = await waitUntil('audio both ways growing', async () => {
        const s = await stats(ana.page);
        return s.audioIn > first.audioIn && s.audioOut > first.audioOut && s.audioIn > 0 ? s : { ok: false, seen: s };
      });
      const bad = now.codecs.filter((c) => !/audio\/(PCMU|PCMA)$/i.test(c));
      if (!now.codecs.length || bad.length) throw new Error(`audio codecs ${now.codecs.join(', ')}, want PCMU/PCMA`);
      steps.log(`  Ana: audio ${now.audioIn}↓ ${now.audioOut}↑ bytes; ${[...new Set(now.codecs)].join(' ')}`);
      // Let the caller's phone record four seconds of Ana's tone.
      await new Promise((ok) => setTimeout(ok, 4000));
    });

    await steps.run('Ana hangs up: the call ends for the phone; the conversation shows it', async () => {
      await ana.page.getByTestId('call-hangup').first().click();
      await waitUntil('Ana: call state ended', async () =>
        (await ana.page.getByTestId('call-state').first().getAttribute('data-state', { timeout: 1000 }).catch(() => null)) === 'ended');
      const list = await adm('GET', '/api/v1/conversations?channel=phone&limit=10', undefined, 200);
      const conv = list.items?.[0];
      if (!conv) throw new Error('no conversation on the phone channel');
      const calls = await adm('GET', `/api/v1/conversations/${conv.id}/calls`, undefined, 200);
      const call = calls.items?.[0];
      if (call?.state !== 'ended' || call.ended_reason !== 'hangup' || call.hung_up_by !== 'agent') {
        throw new Error(`the call is ${JSON.stringify(call)}, want ended by the agent's hang-up`);
      }
      if (conv.assignee_id !== anaID) throw new Error(`the phone conversation is assigned to ${conv.assignee_id}, want Ana (${anaID}), who took the call`);
      const msgs = await adm('GET', `/api/v1/conversations/${conv.id}/messages?limit=100`, undefined, 200);
      const bodies = msgs.items.map((m) => m.body).join('\n');
      if (!bodies.includes(`Phone call from ${opts.caller} to ${opts.number}`)) throw new Error(`the timeline lacks the call:\n${bodies}`);
    });
    if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
    console.log('phone: a phone call answered in the browser held');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(`phone: step "${steps.current}" failed: ${err.stack ?? err}`);
  if (watcher.consoleErrors.length) console.error(`console:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exit(1);
});
