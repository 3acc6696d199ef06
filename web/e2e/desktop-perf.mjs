#!/usr/bin/env node
// Measures the agent desktop in a real browser against a running center with the
// demo tenant, and prints one line `RESULT [{name, value, unit}, …]` that
// bench/desktop_test.go turns into BENCH lines:
//
//   desktop_js_gzip_kb        gzip size of the JavaScript the browser fetched while
//                             the desktop loaded for the first time (cold cache)
//   desktop_first_load_ms     median over 5 cold loads of the time from navigation
//                             start to the inbox being rendered (the inbox's
//                             data-ready marker, read by a MutationObserver)
//   desktop_msg_to_screen_p50_ms / _p99_ms
//                             200 customer messages, one after the other: the page
//                             itself posts each to the API channel (fetch with an API
//                             key) and a MutationObserver notes when its text appears
//                             in the open conversation; both times come from the
//                             page's performance.now(), so no clocks are compared.
//                             It includes the HTTP round trip that stores the
//                             message durably, as a customer's message would pay.
//   desktop_inbox_5000_scroll_p95_frame_ms / desktop_inbox_5000_dom_rows
//                             5,000 open conversations (seeded through the API
//                             channel, 16 at a time); the All view is scrolled
//                             from top to bottom with the mouse wheel while
//                             requestAnimationFrame records frame times; the most
//                             inbox rows ever in the DOM at once shows the list
//                             is virtualized.
//
//   node web/e2e/desktop-perf.mjs --base http://127.0.0.1:18080 [--tenant northwind]
//     [--password switchboard-demo] [--messages 200] [--conversations 5000] [--timeout 20000]
//
// The center must not rate-limit the seeding (bench runs it with no limit).
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { api, launch, percentile, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    admin: { type: 'string', default: 'admin@northwind.example' },
    agent: { type: 'string', default: 'ana@northwind.example' },
    messages: { type: 'string', default: '200' },
    conversations: { type: 'string', default: '5000' },
    timeout: { type: 'string', default: '20000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('desktop-perf: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const nMessages = Number(opts.messages);
const nConversations = Number(opts.conversations);
const steps = new Steps(timeout);
const watcher = new Watcher();
const results = [];
const result = (name, value, unit) => {
  results.push({ name, value: Math.round(value * 100) / 100, unit });
  steps.log(`  ${name} = ${value.toFixed(1)} ${unit}`);
};

// READY_SCRIPT runs before the app in every page: it records, by the page's
// clock, when the inbox first shows as rendered.
const READY_SCRIPT = () => {
  const ready = () => {
    const inbox = document.querySelector('[data-testid="inbox"]');
    if (!inbox) return false;
    if (inbox.hasAttribute('data-ready')) return inbox.getAttribute('data-ready') === 'true';
    // Until the desktop marks itself: a row shows, or the empty state is no longer loading.
    if (inbox.querySelector('[data-testid="inbox-row"]')) return true;
    const empty = inbox.querySelector('[data-testid="inbox-empty"]');
    return !!empty && empty.parentElement?.getAttribute('aria-busy') === 'false';
  };
  const watch = () => {
    const mo = new MutationObserver(() => {
      if (window.__inboxReadyAt === undefined && ready()) {
        window.__inboxReadyAt = performance.now();
        mo.disconnect();
      }
    });
    mo.observe(document, { childList: true, subtree: true, attributes: true });
  };
  watch();
};

const nonce = Math.random().toString(36).slice(2, 8);
let browser;
let key = '';

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, { base, tenant: opts.tenant, email: opts.admin, password: opts.password, timeout });

  await steps.run('an API key for the API channel', async () => {
    const created = await api(admin.ctx.request, base, 'POST', '/api/v1/api-keys', { name: `desktop perf ${nonce}`, scopes: ['conversations:write', 'read'] }, 201);
    key = created.key;
  });

  await steps.run('first load: JavaScript size and time to a rendered inbox (5 cold loads)', async () => {
    const times = [];
    let gz = 0;
    for (let i = 0; i < 5; i++) {
      const { ctx, page } = await signedIn(browser, { base, tenant: opts.tenant, email: opts.agent, password: opts.password, timeout });
      watcher.watch(page, 'agent');
      await page.addInitScript(READY_SCRIPT);
      const scripts = [];
      page.on('response', (res) => {
        if (res.request().resourceType() === 'script' && res.url().startsWith(base)) scripts.push(res);
      });
      await page.goto(`${base}/desktop`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.__inboxReadyAt !== undefined, undefined, { timeout });
      times.push(await page.evaluate(() => window.__inboxReadyAt));
      if (i === 0) {
        for (const res of scripts) gz += gzipSync(await res.body()).length;
        steps.log(`  ${scripts.length} scripts: ${scripts.map((r) => new URL(r.url()).pathname).join(' ')}`);
      }
      await ctx.close();
    }
    result('desktop_js_gzip_kb', gz / 1024, 'KB');
    result('desktop_first_load_ms', percentile(times, 50), 'ms');
  });

  await steps.run(`message to screen: ${nMessages} customer messages into an open conversation`, async () => {
    const customer = { kind: 'external', value: `perf-msg-${nonce}` };
    const first = await api(admin.ctx.request, base, 'POST', '/api/v1/channels/api/messages',
      { from: customer, name: 'Mila Measure', body: `Opening the conversation (${nonce})`, external_id: `perf-${nonce}-open` }, 201);
    const id = first.conversation.id;
    const { page } = await signedIn(browser, { base, tenant: opts.tenant, email: opts.agent, password: opts.password, timeout });
    watcher.watch(page, 'agent');
    await page.goto(`${base}/desktop/c/${id}`, { waitUntil: 'load' });
    await page.getByTestId('timeline').getByText(`Opening the conversation (${nonce})`).waitFor();
    const latencies = await page.evaluate(
      async ({ n, key, customer, nonce, timeout }) => {
        const out = [];
        const timeline = document.querySelector('[data-testid="timeline"]') ?? document.body;
        for (let i = 0; i < n; i++) {
          const text = `Measured message ${i} (${nonce})`;
          const seen = new Promise((resolve, reject) => {
            const has = () => timeline.textContent?.includes(text);
            const mo = new MutationObserver(() => {
              if (has()) {
                mo.disconnect();
                resolve(performance.now());
              }
            });
            mo.observe(document.body, { childList: true, subtree: true, characterData: true });
            setTimeout(() => {
              mo.disconnect();
              reject(new Error(`message ${i} never showed`));
            }, timeout);
          });
          const sent = performance.now();
          const res = await fetch('/api/v1/channels/api/messages', {
            method: 'POST',
            headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ from: customer, body: text, external_id: `perf-${nonce}-${i}` }),
          });
          if (res.status !== 201) throw new Error(`message ${i}: the API channel answered ${res.status}: ${await res.text()}`);
          out.push((await seen) - sent);
        }
        return out;
      },
      { n: nMessages, key, customer, nonce, timeout },
    );
    result('desktop_msg_to_screen_p50_ms', percentile(latencies, 50), 'ms');
    result('desktop_msg_to_screen_p99_ms', percentile(latencies, 99), 'ms');
    await page.context().close();
  }, timeout * 2 + nMessages * 2000);

  await steps.run(`${nConversations} open conversations, seeded through the API channel`, async () => {
    const req = admin.ctx.request;
    let next = 0;
    const worker = async () => {
      while (next < nConversations) {
        const i = next++;
        const res = await req.fetch(`${base}/api/v1/channels/api/messages`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}` },
          data: { from: { kind: 'external', value: `perf-${nonce}-${i}` }, name: `Customer ${i}`, body: `Question number ${i}`, external_id: `perf-seed-${nonce}-${i}` },
        });
        if (res.status() !== 201) throw new Error(`seeding conversation ${i} answered ${res.status()}: ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }, 30 * 60 * 1000);

  await steps.run('scroll the All view from top to bottom with the wheel', async () => {
    const { page } = await signedIn(browser, { base, tenant: opts.tenant, email: opts.admin, password: opts.password, timeout });
    watcher.watch(page, 'admin');
    await page.goto(`${base}/desktop`, { waitUntil: 'load' });
    await page.getByTestId('inbox-view-all').click();
    const list = page.getByTestId('inbox-list');
    await list.locator('[data-testid="inbox-row"]').first().waitFor();
    const box = await list.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.evaluate(() => {
      const w = window;
      w.__frames = [];
      w.__maxRows = 0;
      let last = performance.now();
      const tick = (now) => {
        w.__frames.push(now - last);
        last = now;
        w.__maxRows = Math.max(w.__maxRows, document.querySelectorAll('[data-testid="inbox-row"]').length);
        if (!w.__stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    // The list loads its pages as the end comes near; stop when the bottom is
    // reached and no more rows come, or after a generous number of turns.
    let still = 0;
    let total = 0;
    for (let turn = 0; turn < 20000 && still < 60; turn++) {
      await page.mouse.wheel(0, 400);
      const s = await list.evaluate((el) => ({ bottom: el.scrollTop + el.clientHeight >= el.scrollHeight - 2, height: el.scrollHeight, rows: el.querySelector('ul')?.getAttribute('style') }));
      still = s.bottom && s.height === total ? still + 1 : 0;
      total = s.height;
      await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok())));
    }
    const { frames, maxRows, set } = await page.evaluate(() => {
      window.__stopFrames = true;
      const row = document.querySelector('[data-testid="inbox-list"] [aria-setsize]');
      return { frames: window.__frames.slice(1), maxRows: window.__maxRows, set: Number(row?.getAttribute('aria-setsize') ?? 0) };
    });
    steps.log(`  ${frames.length} frames while scrolling ${set} rows`);
    if (set < nConversations) throw new Error(`the All view lists ${set} conversations after scrolling to the bottom, want at least ${nConversations}`);
    result('desktop_inbox_5000_scroll_p95_frame_ms', percentile(frames, 95), 'ms');
    result('desktop_inbox_5000_dom_rows', maxRows, 'rows');
    await page.context().close();
  }, 10 * 60 * 1000);
}

try {
  await main();
  console.log(`RESULT ${JSON.stringify(results)}`);
  if (watcher.consoleErrors.length) console.log(`note: browser console errors:\n  ${watcher.consoleErrors.slice(0, 20).join('\n  ')}`);
  steps.log('PASS desktop-perf');
  await browser?.close();
  process.exit(0);
} catch (err) {
  console.error(`[${steps.elapsed()}] FAIL at step "${steps.current}": ${err?.message ?? err}`);
  if (results.length) console.log(`RESULT ${JSON.stringify(results)}`);
  if (watcher.serverErrors.length) console.error(`    server errors:\n      ${watcher.serverErrors.slice(0, 20).join('\n      ')}`);
  await browser?.close().catch(() => {});
  process.exit(1);
}
