#!/usr/bin/env node
// Drives the agent desktop against a running demo center the way a contact goes:
// a customer in the widget on a plain page of another origin, Ana and Ben in the
// desktop and Sam on the supervisor wall, each in their own browser context.
//
//   the demo's sample conversations are resolved (through the API) so that
//   the only offer Ana gets is this customer's → Sam opens the wall → Ana opens
//   the desktop and its keyboard help (?) → the customer writes (nobody is
//   available: the wall's Support queue shows one more waiting, Ana's
//   Unassigned view shows it without a reload) → Ana goes
//   available → the offer pops (its sound can be muted) and Ana accepts it with
//   the keyboard (a) → the conversation opens (the wall counts it answered) →
//   Ana replies and the customer's page shows it → Ana writes an internal note
//   that mentions @ben@northwind.example (the customer never sees it) → Ben
//   goes available; his Mentions view lists the conversation → Ana transfers
//   it to Ben → Ben gets it (an offer he accepts, or straight in his Mine view)
//   and resolves it. Last, the admin creates a notification type (its template's
//   preview names a missing variable until sample data gives it) and deletes it.
//
// axe-core runs on the desktop, the open conversation, the wall, the queues
// admin page and the notification types page; any violation of impact serious
// or critical fails the run, listed.
// Screenshots: desktop.png (an open conversation, 1280×800), wall.png and
// admin.png (the queues page) to --docs-screenshots (the README's), and the
// rest — 768 px wide and dark — to --screenshots.
//
//   node web/e2e/desktop.mjs --base http://127.0.0.1:18080 [--tenant northwind] \
//     [--password switchboard-demo] [--widget-key wk_northwind_demo] \
//     [--screenshots DIR] [--docs-screenshots DIR] [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// never downloads browsers. It exits non-zero with a message naming the failed step.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { api, axe, businessSite, csp, launch, noCSPViolations, notFramable, openWidget, securityHeaders, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    screenshots: { type: 'string', default: '' },
    'docs-screenshots': { type: 'string', default: '' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('desktop: --base is required');
  console.error('usage: node desktop.mjs --base URL [--tenant SLUG] [--password P] [--widget-key K] [--screenshots DIR] [--docs-screenshots DIR] [--timeout MS]');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const shotsDir = opts.screenshots ? resolve(opts.screenshots) : '';
const docsDir = opts['docs-screenshots'] ? resolve(opts['docs-screenshots']) : '';
for (const d of [shotsDir, docsDir]) if (d) mkdirSync(d, { recursive: true });

const steps = new Steps(timeout);
const watcher = new Watcher();
const people = {
  admin: 'admin@northwind.example',
  supervisor: 'supervisor@northwind.example',
  ana: 'ana@northwind.example',
  ben: 'ben@northwind.example',
};
const as = (email, extra = {}) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout, ...extra });

/** screenshot writes name.png to the screenshots dir, and the README's (readme) to the docs dir too. */
async function screenshot(p, name, readme = false) {
  const dirs = [shotsDir, readme ? docsDir : ''].filter(Boolean);
  if (!dirs.length) return;
  const file = join(dirs[0], `${name}.png`);
  await p.screenshot({ path: file });
  console.log(`    screenshot ${file}`);
  for (const d of dirs.slice(1)) copyFileSync(file, join(d, `${name}.png`));
}

/** accessible fails with axe-core's serious and critical findings on the page. */
const axeFindings = [];
async function accessible(p, where) {
  const found = await axe(p);
  for (const f of found) axeFindings.push(`${where}: ${f}`);
  if (found.length) console.log(`    axe on ${where}: ${found.length} serious/critical\n      ${found.join('\n      ')}`);
  else console.log(`    axe on ${where}: no serious or critical violations`);
}

/** figure reads a number of the wall's tile for queue ("—" reads as 0). */
async function figure(p, queue, testId) {
  const text = await p.locator(`[data-testid="wall-queue"][data-queue="${queue}"] [data-testid="${testId}"]`).innerText();
  const m = text.match(/\d+/);
  return m ? Number(m[0]) : 0;
}

/**
 * figureReaches waits until the wall's figure n satisfies `n >= min` or
 * `n <= max` (ok is { min } or { max }). It compares without eval, which the
 * app's Content-Security-Policy refuses.
 */
async function figureReaches(p, queue, testId, ok, what) {
  const sel = `[data-testid="wall-queue"][data-queue="${queue}"] [data-testid="${testId}"]`;
  try {
    await p.waitForFunction(
      ([sel, ok]) => {
        const m = document.querySelector(sel)?.textContent?.match(/\d+/);
        const n = m ? Number(m[0]) : 0;
        return 'min' in ok ? n >= ok.min : n <= ok.max;
      },
      [sel, ok],
      // The wall refetches the day's totals at most every 10 s.
      { timeout: Math.max(timeout, 25000) },
    );
  } catch {
    throw new Error(`the wall's ${queue} ${testId} shows ${await figure(p, queue, testId)}, want ${what}`);
  }
}

/** once waits until locator matches exactly one element (a copy may linger for a moment, not for good). */
async function once(locator, what) {
  for (let i = 0; i < 100; i++) {
    if ((await locator.count()) === 1) return;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`${what} shows ${await locator.count()} times, want once`);
}

/** inboxReady waits for the inbox to show its first page. */
async function inboxReady(p) {
  await p.getByTestId('inbox').waitFor();
  await p.waitForFunction(() => {
    const inbox = document.querySelector('[data-testid="inbox"]');
    if (!inbox) return false;
    if (inbox.hasAttribute('data-ready')) return inbox.getAttribute('data-ready') === 'true';
    if (inbox.querySelector('[data-testid="inbox-row"]')) return true;
    const empty = inbox.querySelector('[data-testid="inbox-empty"]');
    return !!empty && empty.parentElement?.getAttribute('aria-busy') !== 'true';
  });
}

const nonce = Math.random().toString(36).slice(2, 8);
const question = `My card was swallowed by an ATM in Porto, what now? (${nonce})`;
const reply = `I have blocked the card and ordered a new one — Ana (${nonce})`;
const note = `@${people.ben} can you check the replacement fee for this one? (${nonce})`;
let browser;
let site;
let current = {};

async function main() {
  site = await businessSite(base, opts['widget-key']);
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as(people.admin));
  watcher.watch(admin.page, 'admin');
  const adminAPI = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);

  const ben = await signedIn(browser, as(people.ben));
  watcher.watch(ben.page, 'ben');
  await steps.run('Ben is offline and the demo sample conversations are resolved: the next offer is this customer’s', async () => {
    await api(ben.ctx.request, base, 'PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
    const list = await adminAPI('GET', '/api/v1/conversations?status=open&limit=100', undefined, 200);
    for (const c of list.items) await adminAPI('PATCH', `/api/v1/conversations/${c.id}`, { status: 'resolved' }, 200);
  });

  const sup = await signedIn(browser, as(people.supervisor));
  watcher.watch(sup.page, 'supervisor');
  const wall = sup.page;
  let waiting0 = 0;
  let answered0 = 0;
  await steps.run('the supervisor opens the wall', async () => {
    await wall.goto(`${base}/wall`, { waitUntil: 'domcontentloaded' });
    await wall.locator('[data-testid="wall-queue"][data-queue="Support"]').waitFor();
    await wall.locator('[data-testid="wall-queue"][data-queue="Support"] [data-testid="wall-waiting"]').waitFor();
    waiting0 = await figure(wall, 'Support', 'wall-waiting');
    answered0 = await figure(wall, 'Support', 'wall-answered');
    console.log(`    Support: waiting ${waiting0}, answered ${answered0}`);
  });

  const ana = await signedIn(browser, as(people.ana));
  watcher.watch(ana.page, 'ana');
  const desk = ana.page;
  current = desk;
  await steps.run('Ana opens the desktop (offline); axe finds nothing serious', async () => {
    const res = await desk.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
    securityHeaders(res, 'the desktop page', { camera: true });
    await inboxReady(desk);
    const presence = await desk.getByTestId('presence-select').inputValue();
    if (presence === 'available') await desk.getByTestId('presence-select').selectOption('offline');
    await desk.getByTestId('inbox-view-unassigned').click();
    await inboxReady(desk);
    await accessible(desk, 'desktop');
  });

  await steps.run('every surface carries its security headers; another origin cannot frame the app', async () => {
    for (const [path, what, camera] of [['/assets/' , 'an app folder', true], ['/widget/widget.js', 'the widget script', true],
      ['/api/v1/me', 'the API', false], ['/healthz', 'health', false], ['/portal', 'the portal', false]]) {
      securityHeaders(await ana.ctx.request.get(`${base}${path}`), what, { camera });
    }
    const script = await ana.ctx.request.get(`${base}/widget/widget.js`);
    if (!/javascript/.test(script.headers()['content-type'] ?? '')) throw new Error(`widget.js is served as ${script.headers()['content-type']}`);
    const api = csp((await ana.ctx.request.get(`${base}/api/v1/me`)).headers()['content-security-policy']);
    if (api['default-src']?.join(' ') !== "'none'") throw new Error(`the API's default-src is ${api['default-src']}`);
    await notFramable(browser, `${base}/desktop`, timeout);
  });

  await steps.run('? opens the keyboard shortcuts, Escape closes them', async () => {
    await desk.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    await desk.keyboard.press('?');
    const help = desk.getByTestId('shortcut-help');
    await help.waitFor();
    const focused = await desk.evaluate(() => !!document.activeElement?.closest('[data-testid="shortcut-help"]'));
    if (!focused) throw new Error('the focus did not move into the shortcuts dialog');
    await accessible(desk, 'shortcuts dialog');
    await screenshot(desk, 'desktop-shortcuts');
    await desk.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
  });

  const customerCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  customerCtx.setDefaultTimeout(timeout);
  const customer = watcher.watch(await customerCtx.newPage(), 'customer');
  await steps.run('the customer writes in the widget on the bank’s page', async () => {
    await customer.goto(`${site.url}/`, { waitUntil: 'domcontentloaded' });
    await openWidget(customer, { name: 'Wanda Walker', email: `wanda.${nonce}@example.com` }, timeout);
    await customer.getByTestId('input').fill(question);
    await customer.getByTestId('input').press('Enter');
    await customer.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: question }).waitFor();
  });

  let conversationID = '';
  await steps.run('the conversation is stored', async () => {
    for (let i = 0; i < 40 && !conversationID; i++) {
      const list = await adminAPI('GET', '/api/v1/conversations?channel=webchat&status=open&limit=20', undefined, 200);
      for (const c of list.items) {
        const msgs = await adminAPI('GET', `/api/v1/conversations/${c.id}/messages?limit=20`, undefined, 200);
        if (msgs.items.some((m) => m.body === question)) conversationID = c.id;
      }
      if (!conversationID) await new Promise((ok) => setTimeout(ok, 250)); // routing and search catch up
    }
    if (!conversationID) throw new Error(`no open webchat conversation holds "${question}"`);
    console.log(`    conversation ${conversationID}`);
  });

  await steps.run('the conversation shows up in Ana’s Unassigned view without a reload', async () => {
    await desk.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationID}"]`).waitFor();
  });

  await steps.run('the wall shows one more waiting in Support', async () => {
    await figureReaches(wall, 'Support', 'wall-waiting', { min: waiting0 + 1 }, `at least ${waiting0 + 1}`);
  });

  await steps.run('Ana goes available; the offer pops with the customer, channel, queue and a countdown', async () => {
    await desk.getByTestId('presence-select').selectOption('available');
    const offer = desk.getByTestId('offer');
    await offer.first().waitFor();
    if ((await offer.count()) !== 1) throw new Error(`${await offer.count()} offers show, want only this customer's`);
    await offer.getByTestId('offer-queue').filter({ hasText: 'Support' }).waitFor();
    await offer.getByTestId('offer-countdown').waitFor();
    if (!/webchat|chat/i.test(await offer.innerText())) throw new Error(`the offer does not name the channel: ${await offer.innerText()}`);
    const mute = desk.getByTestId('offer-mute');
    const muted = await mute.getAttribute('aria-pressed');
    await mute.click();
    if ((await mute.getAttribute('aria-pressed')) === muted) throw new Error('the mute button did not change its state');
    await mute.click();
    await screenshot(desk, 'desktop-offer');
  });

  await steps.run('Ana accepts with the keyboard (a); the conversation opens', async () => {
    await desk.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    await desk.keyboard.press('a');
    await desk.waitForURL(`**/desktop/c/${conversationID}`);
    await desk.getByTestId('conversation-view').waitFor();
    await desk.getByTestId('timeline').getByText(question, { exact: true }).waitFor();
    if (await desk.getByTestId('offer').count()) throw new Error('the offer card is still there after accepting');
    await desk.getByTestId('inbox-view-mine').click();
  });

  await steps.run('the wall shows it answered and no longer waiting', async () => {
    await figureReaches(wall, 'Support', 'wall-waiting', { max: waiting0 }, `back to ${waiting0}`);
    await figureReaches(wall, 'Support', 'wall-answered', { min: answered0 + 1 }, `at least ${answered0 + 1}`);
  });

  await steps.run('Ana replies; the customer’s page shows the answer', async () => {
    const composer = desk.getByTestId('composer');
    await composer.getByTestId('composer-input').fill(reply);
    await composer.getByTestId('composer-send').click();
    // The optimistic copy gives way to the stored message: one item, with the stored id.
    const mine = desk.locator('[data-testid="timeline-item"][data-direction="out"]', { hasText: reply });
    await desk.locator('[data-testid="timeline-item"][data-direction="out"]:not([data-id^="pending-"])', { hasText: reply }).waitFor();
    await once(mine, 'Ana’s reply in her timeline');
    await customer.locator('[data-testid="message"][data-direction="out"]', { hasText: reply }).waitFor();
  });

  await steps.run('Ana writes an internal note mentioning Ben', async () => {
    const composer = desk.getByTestId('composer');
    await composer.getByTestId('composer-mode-note').click();
    await composer.getByTestId('composer-input').fill(note);
    // The mention list may still be open over the send button: Escape closes it.
    if (await desk.getByTestId('mention-option').count()) await composer.getByTestId('composer-input').press('Escape');
    await composer.getByTestId('composer-send').click();
    const notes = desk.locator('[data-testid="timeline-item"][data-kind="note"]', { hasText: `(${nonce})` });
    await notes.first().waitFor();
    await once(notes, 'the note');
    await accessible(desk, 'conversation');
    await screenshot(desk, 'desktop', true);
  });

  await steps.run('Ana’s Mine view still lists the conversation she answered', async () => {
    await desk.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationID}"]`).waitFor();
  });

  await steps.run('the desktop at 768 px and in dark mode', async () => {
    await desk.setViewportSize({ width: 768, height: 900 });
    await desk.getByTestId('conversation-view').waitFor();
    const overflow = await desk.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) throw new Error(`at 768 px the desktop is ${overflow} px wider than the window`);
    await screenshot(desk, 'desktop-768');
    // Nothing may lie on top of the composer: the panes stack or hide, they do not overlap.
    const overlaps = await desk.evaluate(() => {
      const composer = document.querySelector('[data-testid="composer"]')?.getBoundingClientRect();
      if (!composer) return ['no composer'];
      const out = [];
      for (const id of ['customer-panel', 'inbox', 'timeline']) {
        const r = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
        if (!r || r.width === 0 || r.height === 0) continue;
        const w = Math.min(r.right, composer.right) - Math.max(r.left, composer.left);
        const h = Math.min(r.bottom, composer.bottom) - Math.max(r.top, composer.top);
        if (w > 1 && h > 1) out.push(`${id} overlaps the composer by ${Math.round(w)}×${Math.round(h)} px`);
      }
      return out;
    });
    if (overlaps.length) throw new Error(`at 768 px: ${overlaps.join('; ')}`);
    await desk.setViewportSize({ width: 1280, height: 800 });
    await desk.emulateMedia({ colorScheme: 'dark' });
    await desk.getByTestId('conversation-view').waitFor();
    await screenshot(desk, 'desktop-dark');
    await accessible(desk, 'conversation (dark)');
    await desk.emulateMedia({ colorScheme: 'light' });
  });

  const bdesk = ben.page;
  await steps.run('Ben goes available; his Mentions view lists the conversation', async () => {
    current = bdesk;
    await bdesk.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
    await inboxReady(bdesk);
    await bdesk.getByTestId('presence-select').selectOption('available');
    await bdesk.getByTestId('inbox-view-mentions').click();
    await bdesk.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationID}"]`).waitFor();
  });

  await steps.run('Ana transfers the conversation to Ben', async () => {
    current = desk;
    await desk.getByTestId('action-transfer').click();
    // One select holds both targets: the Queues and the Agents groups.
    // Each person is named with presence and room ("Ben Agent — available, chat 0 of 3").
    const benOption = desk.getByTestId('transfer-target').locator('option', { hasText: 'Ben Agent' }).first();
    await desk.getByTestId('transfer-target').selectOption(await benOption.getAttribute('value'));
    if (!(await desk.getByTestId('transfer-target').inputValue()).startsWith('agent:')) throw new Error('Ben Agent is not an agent target');
    await desk.getByTestId('transfer-note').fill(`Over to you, Ben (${nonce})`);
    await desk.getByTestId('transfer-submit').click();
    // A transfer to a person is offered to them first: it is Ben's once he accepts.
    await desk.locator('[data-testid="timeline-item"][data-kind="note"]', { hasText: `Over to you, Ben (${nonce})` }).waitFor();
    await desk.locator('[data-testid="timeline-item"][data-kind="system"]', { hasText: 'Ben Agent' }).first().waitFor();
  });

  await steps.run('Ben gets the conversation and resolves it', async () => {
    current = bdesk;
    const offer = bdesk.getByTestId('offer');
    await bdesk.getByTestId('inbox-view-mine').click();
    const mine = bdesk.locator(`[data-testid="inbox-row"][data-conversation-id="${conversationID}"]`);
    const how = await Promise.race([
      offer.first().waitFor().then(() => 'offer'),
      mine.waitFor().then(() => 'assigned'),
    ]);
    if (how === 'offer') {
      await bdesk.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
      await bdesk.keyboard.press('a');
      await bdesk.waitForURL(`**/desktop/c/${conversationID}`);
    } else {
      await mine.locator('a').first().click();
      await bdesk.waitForURL(`**/desktop/c/${conversationID}`);
    }
    console.log(`    Ben got it by ${how === 'offer' ? 'an offer' : 'assignment'}`);
    await bdesk.getByTestId('timeline').getByText(note.slice(note.indexOf(' ') + 1)).waitFor();
    await bdesk.getByTestId('action-resolve').click();
    await bdesk.getByTestId('conversation-status').filter({ hasText: /resolved/i }).waitFor();
    const c = await adminAPI('GET', `/api/v1/conversations/${conversationID}`, undefined, 200);
    if (c.status !== 'resolved') throw new Error(`the conversation is ${c.status}, want resolved`);
    const benUser = (await adminAPI('GET', '/api/v1/users?limit=100', undefined, 200)).items.find((u) => u.email === people.ben);
    if (c.assignee_id !== benUser?.id) throw new Error(`the conversation is assigned to ${c.assignee_id}, want Ben (${benUser?.id})`);
  });

  await steps.run('the customer never saw the internal note', async () => {
    await customer.getByTestId('launcher').waitFor();
    const text = await customer.locator('switchboard-widget').evaluate((el) => el.shadowRoot?.textContent ?? '');
    if (!text.includes(reply)) throw new Error('the widget’s text does not hold Ana’s reply: the check below would prove nothing');
    if (text.includes(note.slice(note.indexOf(' ') + 1))) throw new Error('the internal note shows in the customer’s widget');
  });

  await steps.run('the wall: screenshot, axe, 768 px and dark', async () => {
    current = wall;
    await wall.getByTestId('wall-hour-chart').waitFor();
    await screenshot(wall, 'wall', true);
    await accessible(wall, 'wall');
    await wall.setViewportSize({ width: 768, height: 900 });
    await screenshot(wall, 'wall-768');
    await wall.setViewportSize({ width: 1280, height: 800 });
    await wall.emulateMedia({ colorScheme: 'dark' });
    await screenshot(wall, 'wall-dark');
    await accessible(wall, 'wall (dark)');
  });

  await steps.run('the queues admin page: screenshot, axe, 768 px and dark', async () => {
    current = admin.page;
    await admin.page.goto(`${base}/admin/queues`, { waitUntil: 'domcontentloaded' });
    await admin.page.getByTestId('admin-nav').waitFor();
    await admin.page.getByText('Cards').first().waitFor();
    await screenshot(admin.page, 'admin', true);
    await accessible(admin.page, 'admin queues');
    await admin.page.setViewportSize({ width: 768, height: 900 });
    await screenshot(admin.page, 'admin-768');
    await admin.page.setViewportSize({ width: 1280, height: 800 });
    await admin.page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(admin.page, 'admin-dark');
    await accessible(admin.page, 'admin queues (dark)');
  });

  await steps.run('the notification types page: create a type, its preview names a missing variable; axe', async () => {
    const p = admin.page;
    current = p;
    const key = `e2e.${Date.now().toString(36)}`;
    await p.emulateMedia({ colorScheme: 'light' });
    await p.goto(`${base}/admin/notification-types`, { waitUntil: 'domcontentloaded' });
    await p.getByTestId('notification-types-page').waitFor();
    await p.getByTestId('ntype-new').click();
    await p.getByTestId('ntype-key').fill(key);
    await p.getByTestId('ntype-name').fill('Card blocked');
    await p.getByTestId('ntype-category').selectOption('critical');
    await p.getByTestId('ntype-channels-pick').selectOption('sms');
    await p.getByTestId('ntype-channels-add').click();
    await p.getByTestId('tpl-subject').fill('Card {{.last4}} blocked');
    await p.getByTestId('tpl-body').fill('Hello {{.name}}, we blocked your card ending {{.last4}}.');
    await p.getByTestId('tpl-preview-error').getByText('has no value: the sample data has no "last4"').first().waitFor();
    await p.getByTestId('tpl-sample').fill('{"last4": "1234"}');
    await p.getByTestId('tpl-preview-subject').getByText('Card 1234 blocked').waitFor();
    await accessible(p, 'notification type form');
    await p.getByTestId('ntype-save').click();
    const row = p.locator(`[data-testid=ntype-row][data-key="${key}"]`);
    await row.waitFor();
    const stored = await adminAPI('GET', `/api/v1/notifications/types/${key}`, undefined, 200);
    if (stored.channels.join() !== 'email,sms' || !stored.templates.en?.email?.body) {
      throw new Error(`stored type is not what the form said: ${JSON.stringify(stored)}`);
    }
    await screenshot(p, 'notification-types');
    await accessible(p, 'notification types');
    await row.getByTestId('ntype-delete').click();
    await p.getByTestId('confirm-ok').click();
    await row.waitFor({ state: 'detached' });
  });

  if (axeFindings.length) {
    throw new Error(`axe-core found ${axeFindings.length} serious or critical violation(s):\n  ${axeFindings.join('\n  ')}`);
  }
  if (watcher.serverErrors.length) throw new Error(`server errors seen:\n  ${watcher.serverErrors.join('\n  ')}`);
  noCSPViolations(watcher);
}

try {
  await main();
  if (watcher.consoleErrors.length) console.log(`note: browser console errors:\n  ${watcher.consoleErrors.join('\n  ')}`);
  steps.log('PASS desktop');
  await browser?.close();
  site?.close();
  process.exit(0);
} catch (err) {
  console.error(`[${steps.elapsed()}] FAIL at step "${steps.current}": ${err?.message ?? err}`);
  if (current?.url) {
    console.error(`    page was at ${current.url()}`);
    await screenshot(current, 'desktop-failure').catch(() => {});
  }
  if (watcher.consoleErrors.length) console.error(`    browser console errors:\n      ${watcher.consoleErrors.join('\n      ')}`);
  if (watcher.serverErrors.length) console.error(`    server errors:\n      ${watcher.serverErrors.join('\n      ')}`);
  await browser?.close().catch(() => {});
  site?.close();
  process.exit(1);
}
