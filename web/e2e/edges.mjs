#!/usr/bin/env node
// Issue 11, finding 10 — the rough edges — in Chromium against a running demo
// center, one scenario per edge (--finding a..h, or all):
//
//  a. The Admin menu lists every admin page (Notifications and Outbox too);
//     the notification pages' own tabs reach their settings and types.
//  b. Notification activity names the customer, never a persona's UUID.
//  c. A template mistake is explained in the preview (line, variable, what to
//     write), never in text/template's words; saving it is a 422 that says
//     the same on the field.
//  d. A chat widget can be edited on Admin → Channels; the widget shows it.
//  e. The demo widget allows the demo's own origins, not "*": another
//     origin's page is refused.
//  f. A visitor who gave no name is "Visitor NNNN" in the desktop, not
//     "widget <uuid>".
//  g. Resolving a chat tells the visitor (the end-of-chat message) and
//     "Start a new chat" starts a new conversation.
//  h. An image a customer sends shows as a thumbnail in the desktop, served
//     by our own attachment endpoint with its security headers.
//
//   node web/e2e/edges.mjs --base URL [--finding a|b|…|h|all] [--timeout 15000] [--headed]
//
// It exits non-zero naming the failed step, and ends with "PASS edges".
import { parseArgs } from 'node:util';
import { api, businessSite, launch, openWidget, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    finding: { type: 'string', default: 'all' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('edges: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = Math.random().toString(36).slice(2, 8);
const key = opts['widget-key'];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
// A 1×1 PNG, as a phone's camera would send a (larger) one.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

let browser;
const sites = [];
const want = (f) => opts.finding === 'all' || opts.finding.split(',').includes(f);

/** conversationWith finds the webchat conversation holding text. */
async function conversationWith(call, text) {
  for (let i = 0; i < 60; i++) {
    const list = await call('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
    for (const c of list.items) {
      const msgs = await call('GET', `/api/v1/conversations/${c.id}/messages?limit=50`, undefined, 200);
      if (msgs.items.some((m) => m.body === text || m.attachments?.some((a) => a.name === text))) return c.id;
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`no webchat conversation holds "${text}"`);
}

async function visitor() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  ctx.setDefaultTimeout(timeout);
  const page = watcher.watch(await ctx.newPage(), 'visitor');
  if (!sites.length) sites.push(await businessSite(base, key));
  await page.goto(`${sites[0].url}/`, { waitUntil: 'domcontentloaded' });
  await openWidget(page, { name: '', email: '' }, timeout);
  return page;
}

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const adm = watcher.watch(admin.page, 'admin');
  const call = (method, path, body, status) => api(admin.ctx.request, base, method, path, body, status);

  if (want('a')) {
    await steps.run('a: the Admin menu lists every admin page, Notifications and Outbox too', async () => {
      await adm.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
      await adm.getByTestId('nav-admin').click();
      const hrefs = await adm.locator('#admin-menu a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
      const pages = ['/admin/channels', '/admin/queues', '/admin/agents', '/admin/sla', '/admin/hours', '/admin/canned',
        '/admin/notifications', '/admin/outbox', '/admin/webhooks', '/admin/api-keys'];
      const missing = pages.filter((p) => !hrefs.includes(p));
      if (missing.length) throw new Error(`the Admin menu lacks ${missing.join(', ')} (it has ${hrefs.join(', ')})`);
      await adm.locator('#admin-menu a[href="/admin/notifications"]').click();
      await adm.getByTestId('notify-tab-notification-types').click();
      await adm.getByTestId('notification-types-page').waitFor();
      await adm.getByTestId('notify-tab-notification-settings').click();
      await adm.getByTestId('notification-settings-page').waitFor();
    });
    await steps.run('a: a supervisor\'s Admin menu has Notifications', async () => {
      const sup = await signedIn(browser, as('supervisor@northwind.example'));
      await sup.page.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
      await sup.page.getByTestId('nav-admin').click();
      await sup.page.locator('#admin-menu a[href="/admin/notifications"]').click();
      await sup.page.getByTestId('nact-deliveries').or(sup.page.getByText(/No notices yet|no deliveries/i)).first().waitFor();
      await sup.ctx.close();
    });
  }

  if (want('b')) {
    await steps.run('b: notification activity names the customer, not a UUID', async () => {
      const list = await call('GET', '/api/v1/notifications/deliveries?limit=5', undefined, 200);
      const d = list.items[0];
      if (!d) throw new Error('the demo has no notice to show');
      const p = await call('GET', `/api/v1/personas/${d.persona_id}`, undefined, 200);
      await adm.goto(`${base}/admin/notifications`, { waitUntil: 'domcontentloaded' });
      const cell = adm.locator(`[data-testid="nact-row"][data-id="${d.id}"] td`).nth(2); // the customer column
      const text = (await cell.innerText()).trim();
      if (UUID.test(text) || !text) throw new Error(`the customer reads "${text}"`);
      if (p.name && text !== p.name) throw new Error(`the customer reads "${text}", want "${p.name}"`);
    });
  }

  if (want('c')) {
    await steps.run('c: the template preview explains a mistake in words, naming the line and the variable', async () => {
      await adm.goto(`${base}/admin/notification-types`, { waitUntil: 'domcontentloaded' });
      await adm.locator('[data-testid="ntype-row"][data-key="statement.ready"]').getByTestId('ntype-edit').click();
      const body = adm.getByTestId('tpl-body');
      await body.fill('Hello {{name}},\nyour statement is ready.');
      const err = adm.getByTestId('tpl-preview-error');
      await err.waitFor();
      const text = await err.innerText();
      if (/function "name" not defined|template:|<\.|map has no entry/.test(text) || !text.includes('{{name}} is not a variable: write {{.name}}')) {
        throw new Error(`the preview says "${text}"`);
      }
      if (!/Body, line 1/.test(text)) throw new Error(`the preview does not say where: "${text}"`);
      await body.fill('Hello {{.name}},\nyou owe {{.amount}}.');
      await adm.getByTestId('tpl-preview-error').filter({ hasText: 'Body, line 2: {{.amount}} has no value' }).waitFor();
    });
    await steps.run('c: saving a template with a mistake is a 422 that names the field and says what to write', async () => {
      const typ = await call('GET', '/api/v1/notifications/types/statement.ready', undefined, 200);
      typ.templates.en.email.body = 'Hello {{name}}';
      const res = await admin.ctx.request.fetch(`${base}/api/v1/notifications/types/statement.ready`, {
        method: 'PUT', data: typ, headers: { 'Idempotency-Key': `c-${nonce}` },
      });
      const p = await res.json();
      const issue = p.errors?.find((e) => e.field === 'templates.en.email.body');
      if (res.status() !== 422 || !issue || !issue.reason.startsWith('line 1: {{name}} is not a variable: write {{.name}}')) {
        throw new Error(`answered ${res.status()} ${JSON.stringify(p)}`);
      }
    });
  }

  if (want('d')) {
    await steps.run('d: an admin edits the chat widget; the widget shows the new title', async () => {
      await adm.goto(`${base}/admin/channels`, { waitUntil: 'domcontentloaded' });
      const card = adm.locator(`[data-testid="channel-account"][data-address="${key}"]`);
      await card.getByTestId('channel-edit').click();
      const title = `Northwind help ${nonce}`;
      await card.getByTestId('channel-edit-title').fill(title);
      await card.getByTestId('channel-edit-save').click();
      await card.getByTestId('channel-edit-form').waitFor({ state: 'detached' });
      await card.getByText(title).waitFor();
      const list = await call('GET', '/api/v1/channel-accounts?channel=webchat', undefined, 200);
      const acc = list.items.find((a) => a.address === key);
      if (acc.settings.title !== title) throw new Error(`stored title ${acc.settings.title}`);
      if (!acc.settings.identity_secret?.startsWith('••••')) throw new Error('the identity secret is not masked or was lost');
      const page = await visitor();
      await page.getByTestId('panel').getByText(title).waitFor();
      await page.context().close();
    });
  }

  if (want('e')) {
    await steps.run('e: the demo widget allows the demo\'s own origin, and refuses another site', async () => {
      const list = await call('GET', '/api/v1/channel-accounts?channel=webchat', undefined, 200);
      const origins = list.items.find((a) => a.address === key).settings.allowed_origins ?? '';
      if (origins.split(',').map((o) => o.trim()).includes('*') || !origins.includes(new URL(base).origin)) {
        throw new Error(`the demo widget allows "${origins}"`);
      }
      const own = await admin.ctx.request.fetch(`${base}/channels/webchat/${key}/session`, { method: 'POST', data: {}, headers: { Origin: new URL(base).origin } });
      if (own.status() !== 200) throw new Error(`the demo's own page is refused: ${own.status()}`);
      const other = await admin.ctx.request.fetch(`${base}/channels/webchat/${key}/session`, { method: 'POST', data: {}, headers: { Origin: 'https://elsewhere.example' } });
      if (other.status() < 400) throw new Error(`another site's page may use the demo widget: ${other.status()}`);
      // The demo's own page still chats.
      const ctx = await browser.newContext();
      const demo = watcher.watch(await ctx.newPage(), 'demo page');
      await demo.goto(`${base}/widget/demo.html`, { waitUntil: 'domcontentloaded' });
      await openWidget(demo, { name: '', email: '' }, timeout);
      await ctx.close();
    });
  }

  let chat = '';
  let page;
  if (want('f') || want('g') || want('h')) {
    const ana = await signedIn(browser, as('ana@northwind.example'));
    const desk = watcher.watch(ana.page, 'ana');
    const agent = (method, path, body, status) => api(ana.ctx.request, base, method, path, body, status);
    const question = `Is the branch open on Sunday? (${nonce})`;
    await steps.run('f: a visitor who gave no name writes', async () => {
      page = await visitor();
      await page.getByTestId('input').fill(question);
      await page.getByTestId('input').press('Enter');
      await page.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: question }).waitFor();
      chat = await conversationWith(call, question);
    });
    if (want('f')) {
      await steps.run('f: the desktop names the visitor "Visitor NNNN", not "widget <uuid>"', async () => {
        await desk.goto(`${base}/desktop/c/${chat}`, { waitUntil: 'domcontentloaded' });
        const who = desk.getByTestId('conversation-customer');
        await who.waitFor();
        // The header fills in the name once the customer has loaded.
        try {
          await who.filter({ hasText: /^Visitor \d{4}$/ }).waitFor({ timeout: 5000 });
        } catch {
          throw new Error(`the customer reads "${(await who.innerText()).trim()}"`);
        }
        const name = (await who.innerText()).trim();
        const c = await agent('GET', `/api/v1/conversations/${chat}`, undefined, 200);
        const p = await agent('GET', `/api/v1/personas/${c.persona_id}`, undefined, 200);
        if (p.name !== name) throw new Error(`the persona is named "${p.name}", the desktop says "${name}"`);
      });
    }
    if (want('h')) {
      await steps.run('h: the visitor sends a photo; the desktop shows it as a thumbnail from our own endpoint', async () => {
        await page.locator('input[type="file"]').setInputFiles({ name: `receipt-${nonce}.png`, mimeType: 'image/png', buffer: PNG });
        await page.locator(`[data-testid="message"][data-direction="in"][data-id] img[alt^="receipt-${nonce}.png"]`).waitFor();
        await desk.goto(`${base}/desktop/c/${chat}`, { waitUntil: 'domcontentloaded' });
        const img = desk.getByTestId('timeline').locator('[data-testid="message-image"]').first();
        try {
          await img.waitFor({ timeout: 5000 });
        } catch {
          throw new Error('the image is a link, not a preview');
        }
        await desk.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
        const src = await img.getAttribute('src');
        if (!src?.startsWith('/api/v1/attachments/')) throw new Error(`the preview loads ${src}`);
        const res = await ana.ctx.request.get(`${base}${src}`);
        const h = res.headers();
        if (h['x-content-type-options'] !== 'nosniff' || !h['content-security-policy']?.startsWith('sandbox') || h['content-type'] !== 'image/png') {
          throw new Error(`the image is served with ${JSON.stringify(h)}`);
        }
      });
    }
    if (want('g')) {
      await steps.run('g: Ana resolves the chat; the visitor reads the end-of-chat message', async () => {
        await desk.goto(`${base}/desktop/c/${chat}`, { waitUntil: 'domcontentloaded' });
        await desk.getByTestId('action-resolve').click();
        await desk.getByTestId('conversation-status').filter({ hasText: /resolved/i }).waitFor();
        try {
          await page.getByTestId('ended').waitFor({ timeout: 5000 });
        } catch {
          throw new Error('the visitor is told nothing when the chat is resolved');
        }
        const text = await page.getByTestId('ended-text').innerText();
        if (!/ended/i.test(text)) throw new Error(`the end message reads "${text}"`);
      });
      await steps.run('g: "Start a new chat" starts a new conversation; the old one stays resolved', async () => {
        await page.getByTestId('new-chat').click();
        await page.getByTestId('ended').waitFor({ state: 'detached' });
        if (await page.locator('[data-testid="message"]', { hasText: question }).count()) throw new Error('the old chat is still on screen');
        const again = `Another question: card fees? (${nonce})`;
        await page.getByTestId('input').fill(again);
        await page.getByTestId('input').press('Enter');
        await page.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: again }).waitFor();
        const next = await conversationWith(call, again);
        if (next === chat) throw new Error('the new message reopened the ended conversation');
        const old = await call('GET', `/api/v1/conversations/${chat}`, undefined, 200);
        if (old.status !== 'resolved') throw new Error(`the ended conversation is ${old.status}`);
      });
    }
    await page?.context().close();
    await ana.ctx.close();
  }
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS edges`);
} catch (err) {
  console.error(`FAIL edges at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  for (const s of sites) s.close();
}
