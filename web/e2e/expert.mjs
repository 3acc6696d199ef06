#!/usr/bin/env node
// What experts see (issue 14, ADR 0032), against a running demo center.
//
// Erik is an expert: signed in, his desktop is "My rooms" — no inbox, and the
// API lists him no conversation. A customer writes in; Erik cannot read the
// conversation (404). Ana asks for help and invites him: the room shows in
// his list live, opening it shows the conversation read-only with the swarm
// panel and no composer; a new customer message arrives on his screen over
// the feed, and its screenshot opens for him (ADR 0048). He joins and writes in the room, which Ana sees; replying to the
// customer or adding a note is refused by the API (403). No page of his asks
// the API for anything it refuses. The page passes axe.
//
//   node web/e2e/expert.mjs --base URL [--tenant northwind] [--password switchboard-demo] [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS expert".
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('expert: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = randomUUID().slice(0, 8);
// A 1×1 PNG: the customer's screenshot.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
let browser;

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const ana = await signedIn(browser, as('ana@northwind.example'));
  const erik = await signedIn(browser, as('erik@northwind.example'));
  watcher.watch(erik.page, 'erik');
  const call = (s) => (method, path, body, want) => api(s.ctx.request, base, method, path, body, want);
  const asAdmin = call(admin);
  const asAna = call(ana);
  const asErik = call(erik);
  const erikUser = (await asErik('GET', '/api/v1/me', undefined, 200)).user;
  const page = erik.page;

  let conversationId;
  await steps.run('a customer writes in', async () => {
    const first = await asAdmin('POST', '/api/v1/channels/api/messages', { from: { kind: 'external', value: `ex-${nonce}` },
      name: 'Olga Overseas', body: `My transfer ${nonce} to Oslo bounced twice`, external_id: `ex-${nonce}-1` }, 201);
    conversationId = first.conversation.id;
  });

  await steps.run('Erik’s desktop is My rooms: no inbox, and the API lists him nothing', async () => {
    await page.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('my-rooms').waitFor();
    if (await page.getByTestId('inbox').count()) throw new Error('an expert sees the inbox');
    if (await page.getByTestId('nav-desktop').count() || await page.getByTestId('nav-customers').count()) {
      throw new Error('an expert is offered the inbox or the customers in the navigation');
    }
    const listed = (await page.locator(`[data-testid="my-room"]`).count());
    if (listed !== (await asErik('GET', '/api/v1/swarm/rooms', undefined, 200)).items.length) throw new Error('My rooms does not list his rooms');
    await asErik('GET', '/api/v1/conversations', undefined, 403);
    await asErik('GET', '/api/v1/personas', undefined, 403);
    await asErik('GET', '/api/v1/inbox/counts', undefined, 403);
    await asErik('GET', `/api/v1/conversations/${conversationId}`, undefined, 404);
    await asErik('GET', `/api/v1/conversations/${conversationId}/messages`, undefined, 404);
  });

  let roomId;
  await steps.run('Ana asks for help and invites Erik; the room shows in his list live', async () => {
    const v = await asAna('POST', `/api/v1/conversations/${conversationId}/swarm`, { question: `Bounced transfer ${nonce} — why?` }, 201);
    roomId = v.room.id;
    await asAna('POST', `/api/v1/swarm/rooms/${roomId}/invitations`, { user_id: erikUser.id }, 201);
    await page.locator(`[data-testid="my-room"][data-room-id="${roomId}"][data-status="invited"]`).waitFor();
  });

  await steps.run('opening it shows the conversation read-only with the swarm panel, no composer', async () => {
    await page.locator(`[data-testid="my-room"][data-room-id="${roomId}"]`).getByTestId('my-room-open').click();
    const conv = page.locator(`[data-testid="room-conversation"][data-conversation-id="${conversationId}"]`);
    await conv.getByTestId('timeline-item').filter({ hasText: `My transfer ${nonce} to Oslo bounced twice` }).waitFor();
    await conv.getByTestId('room-readonly').waitFor();
    await conv.getByTestId('room-customer').filter({ hasText: 'Olga Overseas' }).waitFor();
    await conv.getByTestId('swarm-panel').getByTestId('swarm-room').waitFor();
    if (await page.getByTestId('composer').count()) throw new Error('an expert is offered the composer to the customer');
    const violations = await axe(page);
    if (violations.length) throw new Error(`My rooms has accessibility violations:\n  ${violations.join('\n  ')}`);
  });

  await steps.run('a new customer message, with a screenshot, reaches Erik over the feed', async () => {
    await asAdmin('POST', '/api/v1/channels/api/messages', { from: { kind: 'external', value: `ex-${nonce}` },
      name: 'Olga Overseas', body: `It bounced a third time ${nonce}`, external_id: `ex-${nonce}-2`,
      attachments: [{ name: 'bounce.png', content_type: 'image/png', data: PNG }] }, 201);
    await page.getByTestId('timeline-item').filter({ hasText: `It bounced a third time ${nonce}` }).waitFor();
  });

  await steps.run('Erik opens the customer’s file through the room (ADR 0048)', async () => {
    const item = page.getByTestId('timeline-item').filter({ hasText: `It bounced a third time ${nonce}` });
    const img = item.getByTestId('message-image');
    await img.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout });
    const href = await item.getByTestId('message-image-link').getAttribute('href');
    const res = await erik.ctx.request.get(`${base}${href}`);
    if (res.status() !== 200 || res.headers()['content-type'] !== 'image/png') throw new Error(`the file answered ${res.status()} ${res.headers()['content-type']}`);
  });

  await steps.run('Erik joins and writes in the room; Ana reads it', async () => {
    const panel = page.getByTestId('swarm-panel');
    await panel.getByTestId('swarm-join').click();
    await panel.getByTestId('swarm-message-input').fill('Oslo needs the IBAN with the BIC; ask for both.');
    await panel.getByTestId('swarm-send').click();
    await panel.getByTestId('swarm-message').filter({ hasText: 'ask for both' }).waitFor();
    const v = await asAna('GET', `/api/v1/swarm/rooms/${roomId}`, undefined, 200);
    if (!v.messages.some((m) => m.author_id === erikUser.id && m.body.includes('ask for both'))) throw new Error('Ana does not read Erik’s message');
  });

  await steps.run('the API refuses Erik a reply, a note or a change to the customer (403)', async () => {
    await asErik('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Hello from the back office' }, 403);
    await asErik('POST', `/api/v1/conversations/${conversationId}/notes`, { body: 'a note' }, 403);
    await asErik('PATCH', `/api/v1/conversations/${conversationId}`, { status: 'resolved' }, 403);
    const msgs = await asAdmin('GET', `/api/v1/conversations/${conversationId}/messages`, undefined, 200);
    if (msgs.items.some((m) => m.body.includes('back office'))) throw new Error('the refused reply reached the timeline');
  });

  await steps.run('Ana closes the room; Erik sees the outcome and is offered no article to write', async () => {
    await asAna('POST', `/api/v1/swarm/rooms/${roomId}/close`, { outcome: `IBAN and BIC asked for (${nonce}).` }, 200);
    const panel = page.getByTestId('swarm-panel');
    await panel.getByTestId('swarm-closed').filter({ hasText: nonce }).waitFor();
    if (await panel.getByTestId('swarm-article').count()) throw new Error('Erik is offered "Turn into an article", which the API refuses him');
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  if (watcher.consoleErrors.length) throw new Error(`console errors and refused requests:\n  ${watcher.consoleErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS expert`);
} catch (err) {
  console.error(`FAIL expert at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
