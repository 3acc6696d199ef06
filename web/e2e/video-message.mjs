#!/usr/bin/env node
// A customer's video message from the widget, and a call's recording, played
// in the desktop (issue 15; docs/voice.md, ADR 0043). The customer, in
// Chromium with its fake camera and microphone, writes, then records a short
// video message in the widget (its recorder is a script loaded on demand) and
// sends it; it lands in the conversation as a video/webm attachment, and the
// desktop's timeline plays it. Then, the workspace recording every call with
// an announcement, the customer calls, the admin answers in the desktop, the
// customer is told the call is recorded, the admin hangs up, and the
// timeline's player plays the recording. It exits non-zero naming the step.
//
//   node web/e2e/video-message.mjs --base http://127.0.0.1:18080 [--password P] [--widget-key K]
import { parseArgs } from 'node:util';
import { api, businessSite, chromium, CHROMIUM_ARGS, noCSPViolations, openWidget, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    timeout: { type: 'string', default: '20000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('video-message: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

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

/** plays starts a media element muted and waits until its time runs; it returns what the element reports. */
async function plays(what, loc) {
  await loc.waitFor();
  return waitUntil(`${what} plays`, () => loc.evaluate(async (el) => {
    el.muted = true;
    if (el.paused) await el.play().catch(() => {});
    const seen = { t: el.currentTime, ready: el.readyState, w: el.videoWidth ?? 0, d: el.duration, err: el.error?.code ?? 0 };
    return el.currentTime > 0.3 && el.readyState >= 2 ? seen : { ok: false, seen };
  }));
}

async function main() {
  const site = await businessSite(base, opts['widget-key']);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: !opts.headed,
    args: [...CHROMIUM_ARGS, ...MEDIA_ARGS] });
  try {
    const admin = await signedIn(browser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
    watcher.watch(admin.page, 'admin');
    const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
    const adminID = (await adm('GET', '/api/v1/me', undefined, 200)).user.id;
    const cctx = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
    cctx.setDefaultTimeout(timeout);
    const customer = watcher.watch(await cctx.newPage(), 'customer');

    let conv = '';
    const question = `My card was swallowed, here is a video (${Date.now()})`;
    await steps.run('customer: opens the chat and writes', async () => {
      await customer.goto(site.url);
      await openWidget(customer, { name: 'Vera Video', email: `vera+${Date.now()}@example.com` }, timeout);
      await customer.getByTestId('input').fill(question);
      await customer.getByTestId('input').press('Enter');
      await customer.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: question }).waitFor();
      conv = await waitUntil('the conversation', async () => {
        const list = await adm('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
        for (const c of list.items) {
          const msgs = await adm('GET', `/api/v1/conversations/${c.id}/messages?limit=100`, undefined, 200);
          if (msgs.items.some((m) => m.body === question)) return c.id;
        }
        return false;
      });
    });

    await steps.run('customer: records a video message (the recorder loads on demand) and sends it', async () => {
      const loaded = await customer.evaluate(() => 'SwitchboardRecorder' in window);
      if (loaded) throw new Error('the recorder was loaded before it was asked for');
      await customer.getByTestId('record-video').click();
      await customer.getByTestId('recorder').waitFor();
      await waitUntil('two seconds recorded', async () => /0:0[2-9]/.test(await customer.getByTestId('recorder-time').textContent() ?? ''));
      await customer.getByTestId('recorder-send').click();
      await customer.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: 'video-message.webm' }).waitFor();
    });

    let video;
    await steps.run('the message is in the conversation with its video/webm attachment', async () => {
      video = await waitUntil('the video message', async () => {
        const msgs = await adm('GET', `/api/v1/conversations/${conv}/messages?limit=100`, undefined, 200);
        const a = msgs.items.flatMap((m) => m.attachments ?? []).find((x) => x.content_type === 'video/webm');
        return a ?? { ok: false, seen: msgs.items.map((m) => m.attachments) };
      });
      if (video.size < 10_000) throw new Error(`the video is ${video.size} bytes`);
    });

    await steps.run('the desktop timeline plays the video', async () => {
      await admin.page.goto(`${base}/desktop/c/${conv}`);
      const seen = await plays('the video message', admin.page.getByTestId('message-video').first());
      if (!(seen.w > 0)) throw new Error(`the video has no picture: ${JSON.stringify(seen)}`);
      steps.log(`  video message: ${video.size} bytes, ${seen.w} px wide, playing at ${seen.t.toFixed(1)} s`);
    });

    let callID = '';
    await steps.run('recorded call: the workspace announces and records; the admin answers the customer\'s call', async () => {
      await adm('PUT', '/api/v1/settings/recording', { mode: 'announce', retention_days: 30 }, 200);
      await adm('PATCH', `/api/v1/conversations/${conv}`, { assignee_id: adminID }, 200);
      const { user_id: _, default: __, ...profile } = await adm('GET', `/api/v1/users/${adminID}/routing`, undefined, 200);
      await adm('PUT', `/api/v1/users/${adminID}/routing`, { ...profile, capacity: { ...(profile.capacity ?? {}), voice: 1 } }, 200);
      await admin.page.getByTestId('presence-select').selectOption('available');
      await customer.getByTestId('call-audio').click();
      const accept = admin.page.locator('[data-testid="call-accept"], [data-testid="call-dock-accept"]').first();
      await accept.waitFor();
      await accept.click();
      await waitUntil('the customer told the call is recorded', async () =>
        (await customer.getByTestId('call-recording').getAttribute('data-recording', { timeout: 1000 }).catch(() => null)) === 'announced');
      const badge = await admin.page.getByTestId('call-recording').getAttribute('data-recording');
      if (badge !== 'announced') throw new Error(`the admin's call panel says recording ${badge}`);
      callID = (await adm('GET', `/api/v1/conversations/${conv}/calls`, undefined, 200)).items[0].id;
      await new Promise((ok) => setTimeout(ok, 2500)); // something to record
      await adm('POST', `/api/v1/calls/${callID}/hangup`, undefined, 200);
    });

    await steps.run('the timeline plays the call\'s recording', async () => {
      const seen = await plays('the call recording', admin.page.getByTestId('recording-player').first());
      steps.log(`  call recording: ${seen.d.toFixed(1)} s, playing at ${seen.t.toFixed(1)} s`);
    });
    if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
    noCSPViolations(watcher);
    console.log('video message and call recording played');
  } finally {
    await browser.close();
    site.close();
  }
}

main().catch((err) => {
  console.error(`video-message: step "${steps.current}" failed: ${err.stack ?? err}`);
  if (watcher.consoleErrors.length) console.error(`console:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exit(1);
});
