#!/usr/bin/env node
// Drives the embeddable chat widget against a running center, the way a business
// and its visitor meet it: a plain page on another origin (a real HTTP server on
// 127.0.0.1) embeds the widget with one script tag; the visitor opens it and
// writes; an agent answers through the REST API; the page shows the answer;
// after a reload the conversation is still there; on a phone-sized screen the
// panel fills the screen. It exits non-zero with a message naming the failed step.
//
//   node web/e2e/widget.mjs --base http://127.0.0.1:18080 --tenant northwind \
//     --email admin@northwind.example --password '…' --screenshots /tmp/shots \
//     [--widget-key wk_northwind_demo] [--identity-secret S] [--timeout 15000] [--headed]
//
// The agent signs in with --email/--password, or uses --api-key (sbk_…) instead.
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// never downloads browsers.
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { allowOrigin, noCSPViolations, openWidget, securityHeaders, Watcher } from './lib.mjs';

let chromium;
let request;
try {
  ({ chromium, request } = await import('playwright-core'));
} catch {
  console.error('widget: playwright-core is missing; run `npm ci` in web/ first');
  process.exit(2);
}

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    email: { type: 'string' },
    password: { type: 'string' },
    'api-key': { type: 'string', default: '' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    // The widget's identity_secret: when given, a signed-in user is tested too.
    'identity-secret': { type: 'string', default: '' },
    screenshots: { type: 'string', default: '' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});

function usage(msg) {
  console.error(`widget: ${msg}`);
  console.error(
    'usage: node widget.mjs --base URL (--email EMAIL --password PASSWORD [--tenant SLUG] | --api-key KEY) [--widget-key KEY] [--screenshots DIR] [--timeout MS]',
  );
  process.exit(2);
}

if (!opts.base) usage('--base is required');
if (!opts['api-key'] && !(opts.email && opts.password)) usage('--email and --password, or --api-key, are required');
const base = opts.base.replace(/\/+$/, '');
const widgetKey = opts['widget-key'];
const timeout = Number(opts.timeout);
if (!Number.isFinite(timeout) || timeout <= 0) usage('--timeout must be a positive number of milliseconds');
const shotsDir = opts.screenshots ? resolve(opts.screenshots) : '';
if (shotsDir) mkdirSync(shotsDir, { recursive: true });

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
let current = 'start';

/** step runs one named part of the journey with its own deadline. */
async function step(name, fn) {
  current = name;
  console.log(`[${elapsed()}] ▶ ${name}`);
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeout * 2} ms`)), timeout * 2);
  });
  try {
    const result = await Promise.race([fn(), deadline]);
    console.log(`[${elapsed()}] ✓ ${name}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

// The business's page: another origin than the center, with nothing but the tag.
const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const pageHTML = (title, key, ident = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px Georgia,serif;color:#330;background:#fffbe8;margin:40px} button{all:unset}</style></head>
<body><h1>${title}</h1><p>Compare our fixed and variable mortgage rates.</p>
<script src="${base}/widget/widget.js" data-switchboard-widget="${attr(key)}"${ident} async></script>
</body></html>`;

const site = createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/' || u.pathname === '/rates' || u.pathname === '/account') {
    // ?key= picks another widget; /account is a page of a signed-in user, whose
    // ?user=&hash=&name= become the tag's identity.
    const q = u.searchParams;
    const ident = u.pathname !== '/account' ? ''
      : ` data-user-id="${attr(q.get('user'))}" data-user-hash="${attr(q.get('hash'))}" data-name="${attr(q.get('name'))}"`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(pageHTML('Northwind Bank — Mortgage rates', q.get('key') || widgetKey, ident));
    return;
  }
  const path = u.pathname;
  res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
});
await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
const siteURL = `http://127.0.0.1:${site.address().port}`;
// The business's admin lets its site use the widget (the demo's allows only the demo's own pages).
await allowOrigin(base, widgetKey, siteURL, opts['api-key'] ? { apiKey: opts['api-key'] } : { tenant: opts.tenant, email: opts.email, password: opts.password });

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
let browser;
let page;
let agent;
const consoleErrors = [];
const serverErrors = [];

async function screenshot(name, p = page) {
  if (!shotsDir || !p) return;
  const file = join(shotsDir, `${name}.png`);
  await p.screenshot({ path: file });
  console.log(`    screenshot ${file}`);
}

function watch(p) {
  p.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  p.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
  p.on('response', (res) => {
    if (res.status() >= 500) serverErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    else if (res.status() >= 400) consoleErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
}

/** api calls the center's REST API as the agent and returns the JSON body. */
async function api(method, path, body, want) {
  const res = await agent.fetch(`${base}${path}`, {
    method,
    data: body,
    headers: method === 'POST' ? { 'Idempotency-Key': randomUUID() } : {},
  });
  if (res.status() !== want) {
    throw new Error(`${method} ${path} answered ${res.status()}, want ${want}: ${await res.text()}`);
  }
  return res.status() === 204 ? undefined : res.json();
}

async function main() {
  agent = await request.newContext({
    extraHTTPHeaders: opts['api-key'] ? { Authorization: `Bearer ${opts['api-key']}` } : {},
  });
  if (!opts['api-key']) {
    await step('the agent signs in through the API', async () => {
      await api('POST', '/api/v1/auth/login', { tenant: opts.tenant, email: opts.email, password: opts.password }, 200);
    });
  }

  browser = await chromium.launch({
    executablePath,
    headless: !opts.headed,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  context.setDefaultTimeout(timeout);
  page = await context.newPage();
  watch(page);

  const nonce = Math.random().toString(36).slice(2, 8);
  const question = `Is the 5-year fixed rate still 4.1%? (${nonce})`;
  const answer = `Yes, 4.1% until Friday — Ana (${nonce})`;

  await step(`open ${siteURL}/rates?q=mortgage+rates and see the launcher`, async () => {
    const loaded = page.waitForResponse((r) => r.url() === `${base}/widget/widget.js`, { timeout });
    await page.goto(`${siteURL}/rates?q=mortgage+rates`, { waitUntil: 'domcontentloaded', timeout });
    const res = await loaded;
    if (res.status() !== 200) throw new Error(`GET /widget/widget.js answered ${res.status()}`);
    const type = res.headers()['content-type'] ?? '';
    if (!type.includes('javascript')) throw new Error(`widget.js is served as "${type}", want JavaScript`);
    if (res.headers()['x-content-type-options'] !== 'nosniff') throw new Error('widget.js may be sniffed');
    await page.getByTestId('launcher').waitFor();
    // The widget lives in a shadow root: the page's styles do not reach it.
    const inShadow = await page.evaluate(() => !!document.querySelector('switchboard-widget')?.shadowRoot);
    if (!inShadow) throw new Error('the widget is not inside a shadow root');
  });

  await step('open the widget', async () => {
    await openWidget(page, { name: 'Wanda Visitor', email: `wanda.${nonce}@example.com` }, timeout);
    await page.getByTestId('greeting').waitFor();
  });

  await step('write a message; it is acknowledged', async () => {
    await page.getByTestId('input').fill(question);
    await page.getByTestId('input').press('Enter');
    const mine = page.locator('[data-testid="message"][data-direction="in"]', { hasText: question });
    await mine.waitFor();
    await page.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: question }).waitFor();
    if ((await mine.count()) !== 1) throw new Error(`the message shows ${await mine.count()} times`);
  });

  let conversationID = '';
  await step('the agent finds the conversation, with the page it came from', async () => {
    for (let i = 0; i < 20 && !conversationID; i++) {
      const list = await api('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
      for (const c of list.items) {
        const msgs = await api('GET', `/api/v1/conversations/${c.id}/messages?limit=100`, undefined, 200);
        const m = msgs.items.find((x) => x.body === question);
        if (!m) continue;
        conversationID = c.id;
        if (m.direction !== 'in' || m.channel !== 'webchat') {
          throw new Error(`stored as direction "${m.direction}" on "${m.channel}", want in on webchat`);
        }
        const pageMeta = m.meta?.page;
        if (!pageMeta) throw new Error(`the first message carries no page context: meta ${JSON.stringify(m.meta)}`);
        if (pageMeta.search !== 'mortgage rates') throw new Error(`page context search is "${pageMeta.search}", want "mortgage rates"`);
        if (!String(pageMeta.url).startsWith(`${siteURL}/rates`)) throw new Error(`page context url is "${pageMeta.url}"`);
        if (pageMeta.title !== 'Northwind Bank — Mortgage rates') throw new Error(`page context title is "${pageMeta.title}"`);
        break;
      }
      if (!conversationID) await new Promise((ok) => setTimeout(ok, 250)); // the list is eventually consistent with search
    }
    if (!conversationID) throw new Error(`no webchat conversation holds "${question}"`);
    console.log(`    conversation ${conversationID}`);
  });

  await step('the agent answers; the page shows the answer', async () => {
    await api('POST', `/api/v1/conversations/${conversationID}/messages`, { body: answer }, 201);
    await page.locator('[data-testid="message"][data-direction="out"]', { hasText: answer }).waitFor();
  });

  await step('the visitor saw the answer: the agent’s message is marked read', async () => {
    // The widget reports the read over its socket; the center records it as the
    // message's delivery status, which the agent's API shows.
    let status = '';
    for (let i = 0; i < 40 && status !== 'read'; i++) {
      const msgs = await api('GET', `/api/v1/conversations/${conversationID}/messages?limit=100`, undefined, 200);
      status = msgs.items.find((x) => x.body === answer)?.status ?? '';
      if (status !== 'read') await new Promise((ok) => setTimeout(ok, 250));
    }
    if (status !== 'read') throw new Error(`the answer's status is "${status}", want read`);
  });

  await step('the agent types and reads: the visitor sees the indicator and the read ticks', async () => {
    await api('POST', `/api/v1/conversations/${conversationID}/typing`, { on: true }, 204);
    await page.getByTestId('typing').filter({ hasText: /is typing/ }).waitFor();
    await api('POST', `/api/v1/conversations/${conversationID}/typing`, { on: false }, 204);
    await page.locator('[data-testid="typing"]:empty').waitFor({ state: 'attached' });
    const mine = page.locator('[data-testid="message"][data-direction="in"]', { hasText: question });
    const id = await mine.getAttribute('data-id');
    await api('POST', `/api/v1/conversations/${conversationID}/read`, { message_id: id }, 200);
    await page.locator(`[data-testid="message"][data-id="${id}"][data-status="read"]`).waitFor();
    await screenshot('widget');
  });

  await step('the visitor sends a file; one of a refused type is stopped with a reason', async () => {
    const file = page.getByTestId('file');
    await file.setInputFiles({ name: `statement-${nonce}.txt`, mimeType: 'text/plain', buffer: Buffer.from('balance: 100\n') });
    const sent = page.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: `statement-${nonce}.txt` });
    await sent.waitFor();
    const href = await sent.locator('a.att').getAttribute('href');
    const res = await agent.fetch(href);
    if (res.status() !== 200 || (await res.text()) !== 'balance: 100\n') throw new Error(`the attachment link ${href} answered ${res.status()}`);
    // A file comes back as a download in a sandbox, never as a page of the center.
    const policy = securityHeaders(res, 'a visitor\'s file');
    if (!('sandbox' in policy) || !/^attachment/.test(res.headers()['content-disposition'] ?? '')) {
      throw new Error(`a visitor's text file is served with CSP ${res.headers()['content-security-policy']}, disposition ${res.headers()['content-disposition']}`);
    }
    await file.setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await page.getByRole('alert').filter({ hasText: 'setup.exe cannot be sent' }).waitFor();
    const msgs = await api('GET', `/api/v1/conversations/${conversationID}/messages?limit=100`, undefined, 200);
    const stored = msgs.items.find((x) => x.attachments?.some((a) => a.name === `statement-${nonce}.txt`));
    if (!stored) throw new Error('the agent does not see the uploaded file in the conversation');
  });

  await step('after a reload the conversation is still there', async () => {
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.getByTestId('launcher').click();
    await page.locator('[data-testid="message"][data-direction="in"]', { hasText: question }).waitFor();
    await page.locator('[data-testid="message"][data-direction="out"]', { hasText: answer }).waitFor();
    const n = await page.locator('[data-testid="message"]', { hasText: nonce }).count();
    if (n !== 3) throw new Error(`after the reload ${n} messages of this conversation show, want 3`);
  });

  await step('a second answer arrives while the panel is closed: the launcher counts it', async () => {
    await page.getByRole('button', { name: 'Close chat' }).click();
    await api('POST', `/api/v1/conversations/${conversationID}/messages`, { body: `One more thing (${nonce})` }, 201);
    await page.locator('.badge:not([hidden])').waitFor();
    const badge = (await page.locator('.badge').innerText()).trim();
    if (badge !== '1') throw new Error(`the unread badge shows "${badge}", want 1`);
    await page.getByTestId('launcher').click();
    await page.locator('[data-testid="message"][data-direction="out"]', { hasText: `One more thing (${nonce})` }).waitFor();
  });

  await step('the network drops; an answer sent meanwhile shows once after the widget reconnects', async () => {
    const text = `While you were away (${nonce})`;
    await page.context().setOffline(true);
    await page.locator('[data-testid="panel"]:not([data-state="open"])').waitFor();
    await page.getByTestId('panel').locator('.status', { hasText: /connecting/i }).waitFor();
    await api('POST', `/api/v1/conversations/${conversationID}/messages`, { body: text }, 201);
    const mine = `Written while offline (${nonce})`;
    await page.getByTestId('input').fill(mine);
    await page.getByTestId('input').press('Enter');
    await page.locator('[data-testid="message"][data-status="sending"]', { hasText: mine }).waitFor();
    await page.context().setOffline(false);
    const shown = page.locator('[data-testid="message"][data-direction="out"]', { hasText: text });
    await shown.waitFor();
    await page.locator('[data-testid="panel"][data-state="open"]').waitFor();
    await page.locator('[data-testid="message"][data-id]', { hasText: mine }).waitFor();
    if ((await shown.count()) !== 1) throw new Error(`the answer shows ${await shown.count()} times after the resume`);
    const mineCount = await page.locator('[data-testid="message"]', { hasText: mine }).count();
    if (mineCount !== 1) throw new Error(`the message written offline shows ${mineCount} times after it was sent`);
    const msgs = await api('GET', `/api/v1/conversations/${conversationID}/messages?limit=100`, undefined, 200);
    const stored = msgs.items.filter((x) => x.body === mine).length;
    if (stored !== 1) throw new Error(`the message written offline is stored ${stored} times, want 1`);
  });

  await step('when the chat cannot connect, the visitor leaves a message for email instead', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    ctx.setDefaultTimeout(timeout);
    const p = await ctx.newPage();
    watch(p);
    // A proxy that refuses WebSockets: every attempt is closed at once.
    await p.routeWebSocket(/\/channels\/webchat\//, (ws) => ws.close());
    await p.goto(`${siteURL}/`, { waitUntil: 'domcontentloaded', timeout });
    await p.getByTestId('launcher').click();
    const form = p.getByTestId('offline');
    await form.waitFor();
    const email = `olga.${nonce}@example.com`;
    const body = `Please call me back about my loan (${nonce})`;
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Name').fill('Olga Offline');
    await form.getByLabel('Message').fill(body);
    await form.getByRole('button', { name: 'Send message' }).click();
    await p.getByTestId('thanks').waitFor();
    await screenshot('widget-offline', p);
    await ctx.close();
    const list = await api('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
    for (const c of list.items) {
      const msgs = await api('GET', `/api/v1/conversations/${c.id}/messages?limit=100`, undefined, 200);
      const m = msgs.items.find((x) => x.body === body);
      if (!m) continue;
      if (m.meta?.reply_via !== 'email') throw new Error(`the offline message's meta is ${JSON.stringify(m.meta)}, want reply_via email`);
      return;
    }
    throw new Error(`no webchat conversation holds the offline message "${body}"`);
  });

  if (opts['identity-secret']) {
    await step('a signed-in user is known by their verified id; a forged signature is not', async () => {
      const user = `cust-${nonce}`;
      const hash = createHmac('sha256', opts['identity-secret']).update(user).digest('hex');
      const send = async (hashParam, text) => {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
        ctx.setDefaultTimeout(timeout);
        const p = await ctx.newPage();
        const logged = [];
        p.on('console', (m) => logged.push(m.text()));
        await p.goto(`${siteURL}/account?user=${user}&hash=${hashParam}&name=Sam+Signed`, { waitUntil: 'domcontentloaded', timeout });
        await openWidget(p, { name: 'Sam Signed', email: `sam.${nonce}@example.com` }, timeout);
        await p.getByTestId('input').fill(text);
        await p.getByTestId('input').press('Enter');
        await p.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: text }).waitFor();
        await ctx.close();
        return logged;
      };
      const personaOf = async (text) => {
        const list = await api('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
        for (const c of list.items) {
          const msgs = await api('GET', `/api/v1/conversations/${c.id}/messages?limit=100`, undefined, 200);
          if (msgs.items.some((x) => x.body === text)) return api('GET', `/api/v1/personas/${c.persona_id}`, undefined, 200);
        }
        throw new Error(`no webchat conversation holds "${text}"`);
      };
      const signed = `Signed in and asking (${nonce})`;
      await send(hash, signed);
      const ids = (await personaOf(signed)).identifiers ?? [];
      if (!ids.some((i) => i.kind === 'external' && i.value === user && i.verified)) {
        throw new Error(`the persona's identifiers are ${JSON.stringify(ids)}, want a verified external ${user}`);
      }
      const forged = `Pretending to be someone (${nonce})`;
      const logged = await send('00'.repeat(32), forged);
      if (!logged.some((l) => l.includes('was not accepted'))) throw new Error('the widget did not report the refused identity on the console');
      const fids = (await personaOf(forged)).identifiers ?? [];
      if (fids.some((i) => i.kind === 'external' && i.value === user)) {
        throw new Error(`a forged signature reached the user's persona: ${JSON.stringify(fids)}`);
      }
    });
  }

  /** pageWithWidget creates a widget for this run through the admin API and opens a page with it. */
  const created = [];
  async function pageWithWidget(settings) {
    const key = `wk_e2e_${nonce}_${created.length}`;
    const acc = await api('POST', '/api/v1/channel-accounts', { channel: 'webchat', address: key, name: `e2e ${key}`, settings }, 201);
    created.push(acc.id);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    ctx.setDefaultTimeout(timeout);
    const p = await ctx.newPage();
    watch(p);
    await p.goto(`${siteURL}/?key=${key}`, { waitUntil: 'domcontentloaded', timeout });
    await p.getByTestId('launcher').click();
    return p;
  }

  await step('a widget with pre-chat questions and a small upload limit', async () => {
    const p = await pageWithWidget({ allowed_origins: siteURL, prechat_fields: 'name,email,order_number', max_upload_bytes: '100', accept: 'text/plain' });
    const form = p.getByTestId('prechat');
    await form.waitFor();
    await form.getByLabel('Name').fill('Pia Prechat');
    await form.getByLabel('Email').fill(`pia.${nonce}@example.com`);
    await form.getByLabel('Order number').fill('A-1001');
    await screenshot('widget-prechat', p);
    await form.getByRole('button', { name: 'Start chat' }).click();
    const text = `Where is order A-1001? (${nonce})`;
    await p.getByTestId('input').fill(text);
    await p.getByTestId('input').press('Enter');
    await p.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: text }).waitFor();
    await p.getByTestId('file').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(200, 97) });
    await p.getByRole('alert').filter({ hasText: 'big.txt is too large' }).waitFor();
    await p.getByTestId('file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('x') });
    await p.getByRole('alert').filter({ hasText: 'photo.png cannot be sent' }).waitFor();
    const list = await api('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
    let persona;
    for (const c of list.items) {
      const msgs = await api('GET', `/api/v1/conversations/${c.id}/messages?limit=100`, undefined, 200);
      if (msgs.items.some((x) => x.body === text)) persona = await api('GET', `/api/v1/personas/${c.persona_id}`, undefined, 200);
    }
    if (!persona) throw new Error(`no webchat conversation holds "${text}"`);
    if (persona.name !== 'Pia Prechat') throw new Error(`the visitor's persona is named "${persona.name}", want the pre-chat answer "Pia Prechat"`);
    await p.context().close();
  });

  await step('a widget set to offline shows the email form at once', async () => {
    const p = await pageWithWidget({ allowed_origins: siteURL, offline: 'true', title: 'After hours' });
    const form = p.getByTestId('offline');
    await form.waitFor();
    await p.getByText('We are away right now').waitFor();
    await p.getByText('After hours').waitFor();
    await form.getByLabel('Email').fill('not-an-address');
    await form.getByLabel('Message').fill('Hello?');
    await form.getByRole('button', { name: 'Send message' }).click();
    // The browser's own check stops a malformed address; nothing was sent.
    if (await p.getByTestId('thanks').count()) throw new Error('an invalid email address was accepted');
    await form.getByLabel('Email').fill(`night.${nonce}@example.com`);
    await form.getByRole('button', { name: 'Send message' }).click();
    await p.getByTestId('thanks').waitFor();
    await p.context().close();
  });

  await step('a page on an origin the widget does not allow gets no chat', async () => {
    const p = await pageWithWidget({ allowed_origins: 'https://shop.example' });
    await p.getByRole('alert').waitFor();
    if (await p.getByTestId('input').count()) throw new Error('the widget opened a chat on a refused origin');
    await p.context().close();
    for (const id of created) await api('DELETE', `/api/v1/channel-accounts/${id}`, undefined, 204);
  });

  await step('on a phone the panel fills the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-US' });
    phone.setDefaultTimeout(timeout);
    const p = await phone.newPage();
    watch(p);
    await p.goto(`${siteURL}/`, { waitUntil: 'domcontentloaded', timeout });
    await openWidget(p, { name: 'Paul Phone', email: `paul.${nonce}@example.com` }, timeout);
    const box = await p.getByTestId('panel').boundingBox();
    if (!box || box.width < 385 || box.height < 840) throw new Error(`the panel is ${box?.width}×${box?.height} on a 390×844 screen`);
    await screenshot('widget-phone', p);
    await phone.close();
  });

  await step('the widget\'s demo page on the center runs it under the demo\'s policy without a violation', async () => {
    const demo = await context.newPage();
    const watcher = new Watcher();
    watcher.watch(demo, 'demo');
    const res = await demo.goto(`${base}/widget/demo.html`, { waitUntil: 'domcontentloaded', timeout });
    securityHeaders(res, 'the widget demo page', { camera: true });
    await demo.getByTestId('launcher').click();
    await demo.getByTestId('panel').waitFor();
    await demo.close();
    noCSPViolations(watcher);
  });

  if (serverErrors.length) throw new Error(`server errors seen:\n  ${serverErrors.join('\n  ')}`);
}

try {
  await main();
  if (consoleErrors.length) console.log(`note: browser console errors:\n  ${consoleErrors.join('\n  ')}`);
  console.log(`[${elapsed()}] PASS widget`);
  await browser?.close();
  await agent?.dispose();
  site.close();
  process.exit(0);
} catch (err) {
  console.error(`[${elapsed()}] FAIL at step "${current}": ${err?.message ?? err}`);
  if (page) {
    console.error(`    page was at ${page.url()}`);
    await screenshot('widget-failure').catch(() => {});
  }
  if (consoleErrors.length) console.error(`    browser console errors:\n      ${consoleErrors.join('\n      ')}`);
  if (serverErrors.length) console.error(`    server errors:\n      ${serverErrors.join('\n      ')}`);
  await browser?.close().catch(() => {});
  site.close();
  process.exit(1);
}
