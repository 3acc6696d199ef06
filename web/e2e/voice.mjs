#!/usr/bin/env node
// Drives a video call end to end in real browsers, as docs/voice.md describes
// it: a customer's Chromium (the widget on a business's page) and an agent's
// Chromium (the desktop), each with Chromium's fake camera and microphone.
// The customer chats, starts a video call; Ana accepts; getStats() on both
// sides shows audio and video bytes flowing both ways (audio in G.711); Ana
// transfers the call to Ben (a third browser context), media flows between the
// customer and Ben; Ben hangs up; the conversation's timeline and calls show
// the call. Then a second call: Ana's browser closes mid-call and the customer
// is told why the call ended. With --bench N it instead measures N calls' set-up
// (the customer's click to the first inbound audio bytes on both sides) and
// prints BENCH lines. It exits non-zero with a message naming the failed step.
//
//   node web/e2e/voice.mjs --base http://127.0.0.1:18080 [--password P] [--widget-key K]
//     [--screenshots DIR] [--timeout 20000] [--bench 20]
//
// Media goes through the center (Pion), never browser to browser.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { api, axe, businessSite, chromium, CHROMIUM_ARGS, openWidget, percentile, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    screenshots: { type: 'string', default: '' },
    timeout: { type: 'string', default: '20000' },
    bench: { type: 'string', default: '0' },
    restart: { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('voice: --base is required\nusage: node voice.mjs --base URL [--password P] [--widget-key K] [--screenshots DIR] [--timeout MS] [--bench N]');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const benchCalls = Number(opts.bench);
const shots = opts.screenshots ? resolve(opts.screenshots) : '';
if (shots) mkdirSync(shots, { recursive: true });
const steps = new Steps(timeout);
const watcher = new Watcher();

// Chromium's fake devices: a test-pattern camera and a beeping microphone,
// granted without a prompt; sound may play without a click.
const MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: !opts.headed,
    args: [...CHROMIUM_ARGS, ...MEDIA_ARGS],
  });
}

/**
 * trackPeers makes every RTCPeerConnection a page creates reachable as
 * window.__pcs, so the test can read getStats() (the app does not expose its own).
 */
async function trackPeers(ctx) {
  await ctx.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const pcs = [];
    Object.defineProperty(window, '__pcs', { value: pcs });
    // marks time each step of a call's set-up (wall-clock ms, comparable
    // between the two browsers on one machine) for the bench's breakdown.
    const marks = [];
    Object.defineProperty(window, '__marks', { value: marks });
    const mark = (what) => marks.push([what, Date.now()]);
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        pcs.push(this);
        mark('pc.new');
        this.addEventListener('icegatheringstatechange', () => mark(`ice.gathering.${this.iceGatheringState}`));
        this.addEventListener('iceconnectionstatechange', () => mark(`ice.${this.iceConnectionState}`));
        this.addEventListener('connectionstatechange', () => mark(`pc.${this.connectionState}`));
        // A remote track is muted until its first packet: its unmute is the first inbound audio.
        this.addEventListener('track', (e) => e.track.kind === 'audio' && e.track.addEventListener('unmute', () => mark('audio.in'), { once: true }));
      }
      async setLocalDescription(...a) { mark('setLocal'); const r = await super.setLocalDescription(...a); mark('setLocal.done'); return r; }
      async setRemoteDescription(...a) { mark('setRemote'); const r = await super.setRemoteDescription(...a); mark('setRemote.done'); return r; }
    };
    // The click as the page gets it (not when the test driver began to move the mouse).
    // (composedPath: the widget's buttons are inside its shadow root)
    document.addEventListener('click', (e) => mark(`click.${e.composedPath()[0]?.closest?.('[data-testid]')?.dataset.testid ?? '?'}`), true);
    const fetch0 = window.fetch;
    window.fetch = async (u, ...a) => {
      const what = String(u?.url ?? u).replace(/^.*\/api\/v1\//, '').replace(/[0-9a-f-]{36}/g, '…');
      if (!/^(offers|calls)/.test(what)) return fetch0(u, ...a);
      mark(`fetch ${what}`); const r = await fetch0(u, ...a); mark(`fetch.done ${what}`); return r;
    };
    const gum = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
    if (gum) navigator.mediaDevices.getUserMedia = async (c) => { mark('gum'); const r = await gum(c); mark('gum.done'); return r; };
    const send = WebSocket.prototype.send;
    const frameType = (d) => { try { const f = JSON.parse(d); return f.type ? `${f.type}${f.state ? '.' + f.state : ''}` : ''; } catch { return ''; } };
    WebSocket.prototype.send = function (d) {
      const t = typeof d === 'string' && frameType(d);
      if (t && !t.startsWith('call.candidate')) mark(`→${t}`);
      if (!this.__marked) {
        this.__marked = true;
        this.addEventListener('message', (e) => { const t = typeof e.data === 'string' && frameType(e.data); if (t && !t.startsWith('call.candidate')) mark(`←${t}`); });
      }
      return send.call(this, d);
    };
    const NativeWS = window.WebSocket;
    window.WebSocket = class extends NativeWS {
      constructor(...a) {
        super(...a);
        this.__marked = true;
        this.addEventListener('message', (e) => { const t = typeof e.data === 'string' && frameType(e.data); if (t && !t.startsWith('call.candidate')) mark(`←${t}`); });
      }
    };
  });
}

/** takeMarks is a page's set-up marks from t0 on ([what, ms since the epoch]), emptying its list. */
async function takeMarks(page, t0) {
  const marks = await page.evaluate(() => window.__marks.splice(0));
  return marks.filter(([, at]) => at >= t0);
}

/** firstMark is when a mark first happened, or undefined. */
const firstMark = (marks, what) => marks.find(([w]) => w === what)?.[1];

/** stats sums the page's newest live peer connection's RTP bytes by kind and direction, with the codecs in use. */
async function stats(page) {
  return page.evaluate(async () => {
    const pc = window.__pcs.filter((p) => p.connectionState !== 'closed').at(-1);
    const r = { audioIn: 0, audioOut: 0, videoIn: 0, videoOut: 0, codecs: [], state: pc?.connectionState ?? 'none' };
    if (!pc) return r;
    const report = await pc.getStats();
    const codecs = new Map();
    report.forEach((s) => s.type === 'codec' && codecs.set(s.id, s.mimeType));
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') r[`${s.kind}In`] += s.bytesReceived ?? 0;
      if (s.type === 'outbound-rtp') r[`${s.kind}Out`] += s.bytesSent ?? 0;
      if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && codecs.get(s.codecId)) r.codecs.push(`${s.type}:${codecs.get(s.codecId)}`);
    });
    return r;
  });
}

/** waitUntil polls fn until it returns a truthy value, or fails with what it saw last. */
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

/** flowing waits until every named counter of each page grew between two samples: media moving now, not once. */
async function flowing(who, page, keys) {
  const first = await stats(page);
  await waitUntil(`${who}: ${keys.join(', ')} bytes growing`, async () => {
    const now = await stats(page);
    const stalled = keys.filter((k) => !(now[k] > first[k] && now[k] > 0));
    return stalled.length ? { ok: false, seen: { stalled, first, now } } : now;
  });
  const s = await stats(page);
  steps.log(`  ${who}: audio ${s.audioIn}↓ ${s.audioOut}↑, video ${s.videoIn}↓ ${s.videoOut}↑ bytes; ${[...new Set(s.codecs)].join(' ')}`);
  return s;
}

/** g711 fails unless the page's audio, both ways, is PCMU or PCMA (docs/voice.md). */
function g711(who, s) {
  const audio = s.codecs.filter((c) => /audio\//i.test(c));
  if (!audio.length || audio.some((c) => !/audio\/(PCMU|PCMA)$/i.test(c))) throw new Error(`${who}: audio codecs ${audio.join(', ') || 'none'}, want PCMU/PCMA`);
}

/** callState is the widget's or the desktop's call state line. */
const widgetState = (p) => p.getByTestId('call-state');
async function waitState(who, loc, state) {
  await waitUntil(`${who}: call state ${state}`, async () => {
    const got = await loc.first().getAttribute('data-state', { timeout: 1000 }).catch(() => null);
    return got === state ? true : { ok: false, seen: got };
  });
}

/** acceptCall takes the call rung to an agent: the panel's or the dock's Accept. */
async function acceptCall(page) {
  const button = page.locator('[data-testid="call-accept"], [data-testid="call-dock-accept"]').first();
  await button.waitFor({ timeout });
  await button.click();
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `voice-${name}.png`) });
}

async function agent(browser, email, conv, colorScheme = 'light') {
  const a = await signedIn(browser, { base, tenant: opts.tenant, email, password: opts.password, timeout, colorScheme });
  await trackPeers(a.ctx);
  watcher.watch(a.page, email.split('@')[0]);
  const call = (method, path, body, want) => api(a.ctx.request, base, method, path, body, want);
  a.id = (await call('GET', '/api/v1/me', undefined, 200)).user.id;
  a.call = call;
  if (conv) await a.page.goto(`${base}/desktop/c/${conv}`);
  else await a.page.goto(`${base}/desktop`);
  await a.page.getByTestId('presence-select').waitFor();
  return a;
}

async function main() {
  const site = await businessSite(base, opts['widget-key']);
  const customerBrowser = await launch();
  let agentBrowser = await launch();
  try {
    const admin = await signedIn(agentBrowser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
    const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
    const adminID = (await adm('GET', '/api/v1/me', undefined, 200)).user.id;

    await steps.run('setup: agents offline and without wrap-up, the demo backlog taken by the admin', async () => {
      for (const email of ['ana@northwind.example', 'ben@northwind.example']) {
        const a = await signedIn(agentBrowser, { base, tenant: opts.tenant, email, password: opts.password, timeout });
        await api(a.ctx.request, base, 'PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
        // Calls follow one another here: routing's wrap-up after each would only add waiting.
        const id = (await api(a.ctx.request, base, 'GET', '/api/v1/me', undefined, 200)).user.id;
        const { user_id, default: _, ...profile } = await adm('GET', `/api/v1/users/${id}/routing`, undefined, 200);
        await adm('PUT', `/api/v1/users/${id}/routing`, { ...profile, wrap_up_seconds: 0 }, 200);
        await a.ctx.close();
      }
      const open = await adm('GET', '/api/v1/conversations?status=open&limit=100', undefined, 200);
      for (const c of open.items) if (!c.assignee_id) await adm('PATCH', `/api/v1/conversations/${c.id}`, { assignee_id: adminID }, 200);
    });

    const cctx = await customerBrowser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
    cctx.setDefaultTimeout(timeout);
    await trackPeers(cctx);
    const customer = watcher.watch(await cctx.newPage(), 'customer');
    let conv = '';
    await steps.run('customer: opens the chat and writes', async () => {
      await customer.goto(site.url);
      await openWidget(customer, { name: 'Carla Caller', email: `carla+${Date.now()}@example.com` }, timeout);
      const question = `Can we talk on video about my card? (${Date.now()})`;
      await customer.getByTestId('input').fill(question);
      await customer.getByTestId('input').press('Enter');
      await customer.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: question }).waitFor();
      await waitUntil('the customer\'s conversation in the list', async () => {
        const list = await adm('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
        for (const c of list.items) {
          const msgs = await adm('GET', `/api/v1/conversations/${c.id}/messages?limit=100`, undefined, 200);
          if (msgs.items.some((m) => m.body === question)) conv = c.id;
        }
        return !!conv;
      }, timeout, 250);
      if (!conv) throw new Error('the customer\'s conversation is not in the open list');
    });

    const ana = await agent(agentBrowser, 'ana@northwind.example', conv);
    await steps.run('Ana takes the conversation and becomes available', async () => {
      await adm('PATCH', `/api/v1/conversations/${conv}`, { assignee_id: ana.id }, 200);
      await ana.page.getByTestId('presence-select').selectOption('available');
      await ana.page.getByTestId('call-start-video').waitFor();
    });

    if (benchCalls > 0) return await bench(customer, ana, conv);
    if (opts.restart) return await restart(customer, ana, adm, conv);

    let callID = '';
    await steps.run('customer: video call; Ana accepts from her desktop', async () => {
      await customer.getByTestId('call-video-start').click();
      await acceptCall(ana.page);
      await waitState('customer', widgetState(customer), 'active');
      await waitState('Ana', ana.page.getByTestId('call-state'), 'active');
      const calls = await adm('GET', `/api/v1/conversations/${conv}/calls`, undefined, 200);
      callID = calls.items?.[0]?.id ?? '';
      if (calls.items?.[0]?.media !== 'video') throw new Error(`the call is ${JSON.stringify(calls.items?.[0])}, want a video call`);
    });

    await steps.run('media: audio and video flow both ways through the center, audio in G.711', async () => {
      const c = await flowing('customer', customer, ['audioIn', 'audioOut', 'videoIn', 'videoOut']);
      const a = await flowing('Ana', ana.page, ['audioIn', 'audioOut', 'videoIn', 'videoOut']);
      g711('customer', c);
      g711('Ana', a);
      await ana.page.getByTestId('call-tile-remote').first().waitFor();
      // Bytes arriving are not yet a decoded frame (the first keyframe): wait for the picture, up to 10 s.
      const playing = await ana.page.getByTestId('call-tile-remote').first().locator('video').evaluate(
        (v) =>
          new Promise((ok) => {
            const deadline = Date.now() + 10_000;
            const look = () => (v.videoWidth > 0 ? ok(true) : Date.now() > deadline ? ok(false) : setTimeout(look, 100));
            look();
          }),
      );
      if (!playing) throw new Error('Ana\'s tile shows no picture of the customer');
      await shot(customer, 'customer-active');
      await shot(ana.page, 'ana-active');
      const problems = [...await axe(ana.page), ...await axe(customer)];
      if (problems.length) throw new Error(`accessibility during the call:\n  ${problems.join('\n  ')}`);
    });

    await steps.run('a second tab of the customer shows the call without running its media', async () => {
      const tab = watcher.watch(await cctx.newPage(), 'customer tab 2');
      await tab.goto(site.url);
      await openWidget(tab, { name: 'Carla Caller', email: 'carla@example.com' }, timeout);
      await waitState('customer tab 2', widgetState(tab), 'active');
      const pcs = await tab.evaluate(() => window.__pcs.length);
      if (pcs !== 0) throw new Error(`the second tab opened ${pcs} peer connection(s)`);
      await tab.close();
      await flowing('customer', customer, ['audioIn', 'audioOut', 'videoIn', 'videoOut']);
    });

    await steps.run('Ana mutes and unmutes; holds and resumes', async () => {
      await ana.page.getByTestId('call-mute').click();
      await waitUntil('mute pressed', async () => (await ana.page.getByTestId('call-mute').getAttribute('aria-pressed')) === 'true');
      await ana.page.getByTestId('call-mute').click();
      await ana.page.getByTestId('call-hold').click();
      await waitState('customer', widgetState(customer), 'held');
      await ana.page.getByTestId('call-hold').click();
      await waitState('customer', widgetState(customer), 'active');
    });

    const ben = await agent(agentBrowser, 'ben@northwind.example', '', 'dark'); // and the dark theme
    await steps.run('Ana transfers the call to Ben; Ben accepts; media flows with him', async () => {
      await ben.page.getByTestId('presence-select').selectOption('available');
      await ana.page.getByTestId('call-transfer').click();
      await ana.page.getByTestId('call-transfer-agent').selectOption(ben.id);
      await ana.page.getByTestId('call-transfer-submit').click();
      await acceptCall(ben.page);
      await ben.page.waitForURL(`**/desktop/c/${conv}`);
      await waitState('Ben', ben.page.getByTestId('call-state'), 'active');
      await waitState('customer', widgetState(customer), 'active');
      await waitState('Ana', ana.page.getByTestId('call-state'), 'ended');
      await flowing('Ben', ben.page, ['audioIn', 'audioOut', 'videoIn', 'videoOut']);
      await flowing('customer', customer, ['audioIn', 'audioOut', 'videoIn', 'videoOut']);
      await shot(ben.page, 'ben-active');
    });

    await steps.run('Ben hangs up: the customer is told, the timeline shows the call', async () => {
      await ben.page.getByTestId('call-hangup').click();
      await waitState('customer', widgetState(customer), 'ended');
      const reason = await widgetState(customer).getAttribute('data-reason');
      if (reason !== 'hangup') throw new Error(`the customer's call ended with reason ${reason}, want hangup`);
      const call = await adm('GET', `/api/v1/calls/${callID}`, undefined, 200);
      const types = (call.events ?? []).map((e) => e.type);
      for (const want of ['started', 'answered', 'held', 'resumed', 'transferred', 'ended']) {
        if (!types.includes(want)) throw new Error(`the call's events ${types.join(', ')} lack ${want}`);
      }
      await waitUntil('a call note on Ben\'s timeline', async () => (await ben.page.locator('[data-testid="timeline-item"][data-kind="system"]').filter({ hasText: /call/i }).count()) > 0);
      await shot(ben.page, 'ben-timeline');
    });
    // Ben leaves (offline first, so the next call is not offered to a closed desktop).
    await ben.call('PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
    await ben.ctx.close();

    await steps.run('a second call: Ana\'s browser closes mid-call; the customer is told why it ended', async () => {
      await customer.getByTestId('call-audio').click();
      await acceptCall(ana.page);
      await waitState('customer', widgetState(customer), 'active');
      await flowing('customer', customer, ['audioIn', 'audioOut']);
      await agentBrowser.close();
      agentBrowser = undefined;
      await waitState('customer', widgetState(customer), 'ended');
      const reason = await widgetState(customer).getAttribute('data-reason');
      if (reason !== 'agent_disconnected') throw new Error(`the customer's call ended with reason ${reason}, want agent_disconnected`);
      const line = await widgetState(customer).innerText();
      if (!/connection was lost/.test(line)) throw new Error(`the customer reads "${line}", which does not say why`);
      await shot(customer, 'customer-agent-gone');
    });

    if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
    console.log('voice: a video call with the agent, transfer to a second agent, hang-up and a dropped agent all held');
  } finally {
    await customerBrowser.close();
    await agentBrowser?.close();
    site.close();
  }
}

/**
 * restart has a call running when the node restarts (the test kills and
 * starts it when this prints "restart the node now"): the customer's widget
 * and Ana's desktop both come to show the call ended (server_shutdown) once
 * their sockets are back, the API has it ended with that reason, and routing
 * holds nothing for it (Ana's voice load is 0 on the wall's live agents).
 */
async function restart(customer, ana, adm, conv) {
  let callID = '';
  await steps.run('customer: audio call; Ana accepts; media flows both ways', async () => {
    await customer.getByTestId('call-audio').click();
    await acceptCall(ana.page);
    await waitState('customer', widgetState(customer), 'active');
    await waitState('Ana', ana.page.getByTestId('call-state'), 'active');
    await flowing('customer', customer, ['audioIn', 'audioOut']);
    await flowing('Ana', ana.page, ['audioIn', 'audioOut']);
    callID = (await adm('GET', `/api/v1/conversations/${conv}/calls`, undefined, 200)).items?.[0]?.id ?? '';
  });
  console.log('voice: the call is active; restart the node now');
  const endedBy = async (who, loc) => {
    await waitUntil(`${who}: the call ended`, async () => {
      const got = await loc.first().getAttribute('data-state', { timeout: 1000 }).catch(() => null);
      return got === 'ended' ? true : { ok: false, seen: got };
    }, timeout * 3, 250);
    const reason = await loc.first().getAttribute('data-reason');
    if (reason !== 'server_shutdown') throw new Error(`${who}: the call ended with reason ${reason}, want server_shutdown`);
  };
  await steps.run('the node restarts mid-call: the widget and the desktop show the call ended (server_shutdown)', async () => {
    await endedBy('customer', widgetState(customer));
    const line = await widgetState(customer).innerText();
    if (!/ended/i.test(line)) throw new Error(`the customer reads "${line}"`);
    await endedBy('Ana', ana.page.getByTestId('call-state'));
    await shot(customer, 'customer-restart');
  });
  await steps.run('the call is ended in the API; routing holds nothing for it', async () => {
    const call = await adm('GET', `/api/v1/calls/${callID}`, undefined, 200);
    if (call.state !== 'ended' || call.ended_reason !== 'server_shutdown') throw new Error(`the call after the restart: ${call.state} ${call.ended_reason}`);
    await waitUntil("Ana's voice load back to 0 on the wall", async () => {
      const live = await adm('GET', '/api/v1/agents/live', undefined, 200);
      const me = live.items.find((a) => a.user_id === ana.id);
      return me && !me.load?.voice ? true : { ok: false, seen: me };
    }, timeout * 2, 250);
  });
  console.log('voice: a node restart mid-call ended the call on both sides and in routing');
}

/**
 * bench places calls one after another and prints their set-up times: from
 * the click as the customer's page receives it to media flowing both ways —
 * the agent's first inbound audio (the customer's voice through the center)
 * and the customer's page told "active" (both legs joined: the agent's voice
 * flows to her). Both ends are read from the pages' own clocks, so the test
 * driver's latency is not counted. The agent's accept is a human step: the
 * bench clicks Accept as soon as the desktop shows the call, and it reports
 * that reaction apart (call_setup_without_accept_* leaves it out).
 */
async function bench(customer, ana, conv) {
  const times = [];
  const net = [];
  const reactions = [];
  for (let i = 0; i < benchCalls; i++) {
    await steps.run(`bench call ${i + 1} of ${benchCalls}`, async () => {
      const t0 = Date.now();
      await customer.getByTestId('call-audio').click();
      await acceptCall(ana.page);
      // The customer's leg may hear the center (silence, hold music) while the
      // call waits, so her side counts once the center says "active" (both
      // legs connected and joined); the agent's first inbound bytes are the customer's.
      await waitUntil('first inbound audio on both sides', async () => {
        const [c, a, state] = await Promise.all([stats(customer), stats(ana.page), widgetState(customer).getAttribute('data-state', { timeout: 1000 }).catch(() => '')]);
        return state === 'active' && c.audioIn > 0 && a.audioIn > 0;
      }, timeout * 2, 10);
      const seen = Date.now();
      const [cm, am] = await Promise.all([takeMarks(customer, t0), takeMarks(ana.page, t0)]);
      const click = firstMark(cm, 'click.call-audio') ?? t0;
      const end = Math.max(firstMark(cm, '←call.state.active') ?? seen, firstMark(am, 'audio.in') ?? seen);
      const rang = firstMark(am, '←call.state.ringing');
      const accepted = firstMark(am, 'click.call-accept');
      const reaction = rang && accepted ? accepted - rang : 0;
      times.push(end - click);
      reactions.push(reaction);
      net.push(end - click - reaction);
      const fmt = (ms) => ms.map(([what, at]) => `+${at - click} ${what}`).join(', ');
      steps.log(`  call ${i + 1}: ${times.at(-1)} ms (agent's reaction ${reaction} ms)\n    customer: ${fmt(cm)}\n    agent:    ${fmt(am)}`);
      await ana.page.getByTestId('call-hangup').click();
      await waitState('customer', widgetState(customer), 'ended');
      await ana.page.getByTestId('call-dismiss').click();
    }, timeout * 4);
  }
  const p = (xs, q) => percentile(xs, q);
  console.log(`voice bench: ${times.length} calls in conversation ${conv}: ${times.join(' ')} ms; the agent's reaction ${reactions.join(' ')} ms`);
  console.log(`BENCH call_setup_p50_ms ${p(times, 50)} ms`);
  console.log(`BENCH call_setup_p99_ms ${p(times, 99)} ms`);
  console.log(`BENCH call_setup_agent_accept_p50_ms ${p(reactions, 50)} ms (the test clicking Accept once the desktop shows the call; inside the figures above)`);
  console.log(`BENCH call_setup_without_accept_p99_ms ${p(net, 99)} ms`);
}

main().catch((err) => {
  console.error(`voice: step "${steps.current}" failed: ${err.stack ?? err}`);
  if (watcher.consoleErrors.length) console.error(`console:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exit(1);
});
