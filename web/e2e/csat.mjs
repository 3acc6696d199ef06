#!/usr/bin/env node
// Issue 16 in Chromium against the demo: a visitor on a business's site who
// waits for an agent sees their place in the queue and the estimated wait
// in the widget (and a second visitor, behind, sees theirs), and the API
// for the business's own app says the same; once an agent resolves the
// chat, the widget asks the workspace's survey question, the visitor
// comments and rates it 5, the widget thanks them, and the API shows the
// rating on the conversation.
//
//   node web/e2e/csat.mjs --base http://127.0.0.1:18080 [--tenant northwind] [--password …]
//     [--widget-key wk_northwind_demo] [--screenshots DIR] [--timeout 15000] [--headed]
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { api, businessSite, launch, noCSPViolations, openWidget, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    screenshots: { type: 'string', default: '' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('csat: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = Math.random().toString(36).slice(2, 8);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const shotsDir = opts.screenshots ? resolve(opts.screenshots) : '';
if (shotsDir) mkdirSync(shotsDir, { recursive: true });
const question = `How did Northwind do today? (${nonce})`;

let browser;
let site;

async function screenshot(name, p) {
  if (!shotsDir) return;
  const file = join(shotsDir, `${name}.png`);
  await p.screenshot({ path: file });
  console.log(`    screenshot ${file}`);
}

/** conversationWith finds the webchat conversation holding text. */
async function conversationWith(call, text) {
  for (let i = 0; i < 60; i++) {
    const list = await call('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
    for (const c of list.items) {
      const msgs = await call('GET', `/api/v1/conversations/${c.id}/messages?limit=50`, undefined, 200);
      if (msgs.items.some((m) => m.body === text)) return c.id;
    }
    await sleep(250);
  }
  throw new Error(`no webchat conversation holds "${text}"`);
}

/** visitor opens the widget on the business's site in a fresh browser context and writes text. */
async function visitor(name, text) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  ctx.setDefaultTimeout(timeout);
  const page = watcher.watch(await ctx.newPage(), name);
  await page.goto(`${site.url}/`, { waitUntil: 'domcontentloaded' });
  await openWidget(page, { name, email: '' }, timeout);
  await page.getByTestId('input').fill(text);
  await page.getByTestId('input').press('Enter');
  await page.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: text }).waitFor();
  return page;
}

async function main() {
  site = await businessSite(base, opts['widget-key']);
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
  const anaID = await (async () => {
    const ana = await signedIn(browser, as('ana@northwind.example'));
    const call = (method, path, body, want) => api(ana.ctx.request, base, method, path, body, want);
    await call('PUT', '/api/v1/me/presence', { presence: 'available' }, 200);
    return (await call('GET', '/api/v1/me', undefined, 200)).user.id;
  })();

  await steps.run('the admin words the survey question on Admin → Notification settings', async () => {
    const p = watcher.watch(admin.page, 'admin');
    await p.goto(`${base}/admin/notification-settings`, { waitUntil: 'domcontentloaded' });
    const form = p.getByTestId('csat-settings');
    await form.getByTestId('csat-question').fill('');
    await form.getByTestId('csat-save').click();
    // An empty question is refused (the browser's required field, else the server's 422).
    if ((await form.getByTestId('csat-saved').count()) && (await form.getByTestId('csat-saved').innerText()).trim()) {
      throw new Error('an empty question was saved');
    }
    await form.getByTestId('csat-question').fill(question);
    await form.getByTestId('csat-delay').fill('30');
    await form.getByTestId('csat-save').click();
    await form.getByTestId('csat-saved').filter({ hasText: /saved/ }).waitFor();
    const st = await adm('GET', '/api/v1/csat/settings', undefined, 200);
    if (st.question !== question || st.delay_seconds !== 1800 || !st.enabled) throw new Error(`stored ${JSON.stringify(st)}`);
    await screenshot('csat-admin', p);
  });

  await steps.run('setup: one agent staffed (Ana) but with no chat free; the demo backlog taken', async () => {
    const users = await adm('GET', '/api/v1/users?limit=100', undefined, 200);
    for (const u of users.items) {
      if (u.id === anaID || u.role === 'admin') continue;
      // Everyone else offline: signed in as themselves, as presence is one's own.
      const ctx = await signedIn(browser, as(u.email)).catch(() => null);
      if (!ctx) continue;
      await api(ctx.ctx.request, base, 'PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
      await ctx.ctx.close();
    }
    const profile = await adm('GET', `/api/v1/users/${anaID}/routing`, undefined, 200);
    const { user_id, default: _default, ...rest } = profile;
    await adm('PUT', `/api/v1/users/${anaID}/routing`, { ...rest, capacity: { ...profile.capacity, chat: 0 } }, 200);
    const me = await adm('GET', '/api/v1/me', undefined, 200);
    const open = await adm('GET', '/api/v1/conversations?status=open&limit=100', undefined, 200);
    for (const c of open.items) {
      if (!c.assignee_id) await adm('PATCH', `/api/v1/conversations/${c.id}`, { assignee_id: me.user.id }, 200);
    }
  });

  const first = `Is my card blocked? (${nonce})`;
  let zoe;
  let chat = '';
  await steps.run('a visitor waits: the widget shows she is next, with an estimate in minutes', async () => {
    zoe = await visitor('Zoë', first);
    chat = await conversationWith(adm, first);
    const wait = zoe.getByTestId('wait');
    await wait.filter({ hasText: /minute/ }).waitFor({ timeout: 2 * timeout });
    const text = await wait.innerText();
    if (!/^You are next in line, (about \d+ minutes?|less than a minute)\.$/.test(text)) throw new Error(`the widget says "${text}"`);
    const w = await adm('GET', `/api/v1/conversations/${chat}/wait`, undefined, 200);
    if (!w.waiting || w.position !== 1 || typeof w.estimated_wait_seconds !== 'number') {
      throw new Error(`the API says ${JSON.stringify(w)}`);
    }
    console.log(`    widget: "${text}"; API: ${JSON.stringify(w)}`);
    await screenshot('csat-wait', zoe);
  }, 4 * timeout);

  await steps.run('a second visitor behind her is told number 2, with a longer wait', async () => {
    const second = `Can I raise my limit? (${nonce})`;
    const yusuf = await visitor('Yusuf', second);
    const wait = yusuf.getByTestId('wait');
    await wait.filter({ hasText: /number 2 in line/ }).waitFor({ timeout: 2 * timeout });
    const text = await wait.innerText();
    if (!/^You are number 2 in line, about \d+ minutes\.$/.test(text)) throw new Error(`the second widget says "${text}"`);
    console.log(`    second widget: "${text}"`);
  }, 4 * timeout);

  await steps.run('the chat is resolved: the widget asks the survey question', async () => {
    await adm('PATCH', `/api/v1/conversations/${chat}`, { status: 'resolved' }, 200);
    await zoe.getByTestId('ended').waitFor();
    const survey = zoe.getByTestId('survey');
    await survey.waitFor();
    if (!(await survey.innerText()).includes(question)) throw new Error(`the survey asks "${await survey.innerText()}"`);
    if ((await zoe.getByTestId('wait').count()) !== 0) throw new Error('the wait is still shown after the chat ended');
    await screenshot('csat-survey', zoe);
  });

  await steps.run('she comments and rates it 5: thanked, and the rating is on the conversation', async () => {
    await zoe.getByTestId('survey').locator('textarea').fill('Quick and kind');
    await zoe.getByTestId('rate-5').click();
    await zoe.getByTestId('survey-thanks').waitFor();
    let v;
    for (let i = 0; i < 40; i++) {
      v = await adm('GET', `/api/v1/conversations/${chat}/csat`, undefined, 200);
      if (v.state === 'answered') break;
      await sleep(250);
    }
    if (v.state !== 'answered' || v.rating !== 5 || v.comment !== 'Quick and kind' || v.channel !== 'webchat') {
      throw new Error(`the survey is ${JSON.stringify(v)}`);
    }
    await screenshot('csat-thanks', zoe);
  });

  noCSPViolations(watcher);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS csat`);
} catch (err) {
  console.error(`FAIL csat at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  site?.close();
}
