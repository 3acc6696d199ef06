#!/usr/bin/env node
// Issue 11, finding 7 (production half), in Chromium against a demo center
// whose outbound mail goes to a real SMTP relay this script runs
// (--relay-port; start the center with --smtp-relay 127.0.0.1:PORT):
//
// The relay refuses every recipient. Ana's replies to Zoë's email fail; after
// three in a row the desktop shows a banner that outgoing mail is failing,
// and each failed reply says what failed, why (the relay's answer) and when,
// with Retry. The relay is fixed; Retry sends the reply (the relay receives
// it), the banner goes, and Admin → Channels shows email as OK.
//
//   node web/e2e/delivery.mjs --base URL --relay-port PORT [--timeout 15000] [--headed]
//
// It exits non-zero naming the failed step, and ends with "PASS delivery".
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { api, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    'relay-port': { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base || !opts['relay-port']) {
  console.error('delivery: --base and --relay-port are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = Math.random().toString(36).slice(2, 8);

/**
 * relay is a small SMTP server (RFC 5321, no extensions): while refusing it
 * answers every RCPT with a permanent 550, as a relay that will not take mail
 * for that domain does; otherwise it takes the mail and keeps it.
 */
const relay = { refusing: true, received: [] };
const smtp = createServer((sock) => {
  let data = null;
  let buf = '';
  const say = (line) => sock.write(`${line}\r\n`);
  say('220 relay.test ESMTP');
  sock.on('data', (chunk) => {
    buf += chunk.toString('utf8');
    for (;;) {
      if (data !== null) {
        const end = buf.indexOf('\r\n.\r\n');
        if (end < 0) return;
        relay.received.push(data + buf.slice(0, end));
        buf = buf.slice(end + 5);
        data = null;
        say('250 2.0.0 queued');
        continue;
      }
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO' || verb === 'HELO') say('250 relay.test');
      else if (verb === 'MAIL') say('250 2.1.0 ok');
      else if (verb === 'RCPT') say(relay.refusing ? '550 5.7.1 relaying denied for this domain' : '250 2.1.5 ok');
      else if (verb === 'DATA') {
        data = '';
        say('354 go ahead');
      } else if (verb === 'QUIT') {
        say('221 bye');
        sock.end();
      } else say('250 ok');
    }
  });
  sock.on('error', () => undefined);
});

let browser;

async function main() {
  await new Promise((ok, fail) => smtp.listen(Number(opts['relay-port']), '127.0.0.1', ok).on('error', fail));
  browser = await launch(opts.headed);
  const ana = await signedIn(browser, as('ana@northwind.example'));
  const desk = watcher.watch(ana.page, 'ana');
  const call = (method, path, body, status) => api(ana.ctx.request, base, method, path, body, status);

  let conv = '';
  const replies = [];
  await steps.run('7: the relay refuses; three replies to Zoë fail', async () => {
    const list = await call('GET', '/api/v1/conversations?channel=email&limit=50', undefined, 200);
    conv = list.items.find((c) => /declined/i.test(c.subject))?.id;
    if (!conv) throw new Error('no email conversation in the demo');
    for (let i = 1; i <= 3; i++) {
      const m = await call('POST', `/api/v1/conversations/${conv}/messages`, { body: `We are checking your card (${nonce}, ${i})` }, 201);
      replies.push(m.id);
    }
    for (const id of replies) {
      for (let i = 0; ; i++) {
        const page = await call('GET', `/api/v1/conversations/${conv}/messages?limit=50`, undefined, 200);
        if (page.items.find((m) => m.id === id)?.status === 'failed') break;
        if (i > 80) throw new Error(`reply ${id} never failed`);
        await new Promise((ok) => setTimeout(ok, 250));
      }
    }
  });

  await steps.run('7: the desktop says outgoing mail is failing', async () => {
    await desk.goto(`${base}/desktop/c/${conv}`, { waitUntil: 'domcontentloaded' });
    const item = desk.locator('[data-testid="channel-health-banner"] [data-testid="channel-health-item"][data-channel="email"]');
    try {
      await item.waitFor({ timeout: 5000 });
    } catch {
      throw new Error('no banner says that mail is not leaving');
    }
    if ((await item.getAttribute('data-state')) !== 'failing') throw new Error(`email is ${await item.getAttribute('data-state')}`);
    if (!/550|relaying denied/.test(await item.innerText())) throw new Error(`the banner does not say why: ${await item.innerText()}`);
  });

  const failed = desk.locator(`[data-testid="delivery-failed"][data-message-id="${replies[0]}"]`);
  await steps.run('7: the failed reply says what failed, why and when, with Retry', async () => {
    try {
      await failed.waitFor({ timeout: 5000 });
    } catch {
      throw new Error('the failed reply has no banner');
    }
    const why = await failed.getByTestId('delivery-failed-reason').innerText();
    if (!/550 5\.7\.1 relaying denied/.test(why)) throw new Error(`the reason reads "${why}"`);
    if (!/email/i.test(await failed.innerText())) throw new Error(`it does not say which channel: ${await failed.innerText()}`);
  });

  await steps.run('7: the relay is fixed; Retry sends the reply and the banner goes', async () => {
    relay.refusing = false;
    await failed.getByTestId('delivery-retry').click();
    await desk.locator(`[data-testid="timeline-item"][data-id="${replies[0]}"]:not([data-status="failed"])`).waitFor();
    await failed.waitFor({ state: 'detached' });
    for (let i = 0; !relay.received.some((m) => m.includes(`(${nonce}, 1)`)); i++) {
      if (i > 80) throw new Error('the relay never received the retried reply');
      await new Promise((ok) => setTimeout(ok, 250));
    }
    await desk.getByTestId('channel-health-banner').waitFor({ state: 'detached' });
  });

  await steps.run('7: Admin → Channels shows email as OK', async () => {
    const admin = await signedIn(browser, as('admin@northwind.example'));
    await admin.page.goto(`${base}/admin/channels`, { waitUntil: 'domcontentloaded' });
    const item = admin.page.locator('[data-testid="channel-health"] [data-testid="channel-health-item"][data-channel="email"]');
    await item.waitFor();
    if ((await item.getAttribute('data-state')) !== 'ok') throw new Error(`email is ${await item.getAttribute('data-state')} on Admin → Channels`);
  });
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS delivery`);
} catch (err) {
  console.error(`FAIL delivery at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  smtp.close();
}
