#!/usr/bin/env node
// How a live chat is owned, offered and transferred (issue 11, findings 2, 4
// and 5), against a running demo center.
//
// Finding 2: Ana accepts a visitor's chat and replies: the chat stays open and
// hers, holding one chat of her capacity; the visitor's next line shows in her
// timeline and pops up no offer.
//
// Finding 4: with three chats waiting, Ana goes available: one offer card at a
// time. She lets three expire: routing sets her away, and her top bar says
// why with a "Back to Available" button; after it, the chats she let expire
// are offered again once their cool-down ends.
//
// Finding 5: Ben is away. Ana opens Transfer on her chat: the picker shows
// Ben's presence and capacity and warns; she transfers anyway: the chat leaves
// her, waits for Ben, and after the queue's offer time goes back to the queue,
// where it is offered (to Ana, the one available) — the customer's next line
// reaches someone.
//
//   node web/e2e/offers.mjs --base URL [--tenant northwind] [--password switchboard-demo] \
//     [--widget-key wk_northwind_demo] --finding 2|4|5 [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS offers".
import { parseArgs } from 'node:util';
import { api, businessSite, launch, openWidget, signedIn, slowAnswers, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    finding: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('offers: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = Math.random().toString(36).slice(2, 8);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
// Offers expire fast here, yet leave a slow machine time to click and count cards.
const offerSeconds = 12;

let browser;
let site;
let deskPage; // Ana's desktop, for a screenshot when a step fails (OFFERS_SCREENSHOT=file.png)

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
  await say(page, text);
  return page;
}

async function say(page, text) {
  await page.getByTestId('input').fill(text);
  await page.getByTestId('input').press('Enter');
  await page.locator('[data-testid="message"][data-direction="in"][data-id]', { hasText: text }).waitFor();
}

/** acceptOfferFor accepts, in Ana's desktop, the offer card of the conversation. */
async function acceptOfferFor(desk, call, conv) {
  let offerID = '';
  for (let i = 0; i < 60 && !offerID; i++) {
    const mine = await call('GET', '/api/v1/me/offers', undefined, 200);
    offerID = mine.items.find((o) => o.conversation_id === conv)?.id ?? '';
    if (!offerID) await sleep(250);
  }
  if (!offerID) throw new Error(`no offer of ${conv} reached Ana`);
  await desk.locator(`[data-testid="offer"][data-offer-id="${offerID}"]`).getByTestId('offer-accept').click();
  await desk.waitForURL(`**/desktop/c/${conv}`);
}

async function main() {
  site = await businessSite(base, opts['widget-key']);
  browser = await launch(opts.headed);
  const ana = await signedIn(browser, as('ana@northwind.example'));
  const desk = watcher.watch(ana.page, 'ana');
  deskPage = desk;
  const call = (method, path, body, want) => api(ana.ctx.request, base, method, path, body, want);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
  const ben = await signedIn(browser, as('ben@northwind.example'));
  const benCall = (method, path, body, want) => api(ben.ctx.request, base, method, path, body, want);
  const anaID = (await call('GET', '/api/v1/me', undefined, 200)).user.id;

  await steps.run('setup: agents offline, the demo backlog taken by the admin, short offer times', async () => {
    await call('PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
    await benCall('PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
    const me = await adm('GET', '/api/v1/me', undefined, 200);
    const adminID = me.user.id;
    const open = await adm('GET', '/api/v1/conversations?status=open&limit=100', undefined, 200);
    for (const c of open.items) {
      if (!c.assignee_id) await adm('PATCH', `/api/v1/conversations/${c.id}`, { assignee_id: adminID }, 200);
    }
    const queues = await adm('GET', '/api/v1/queues', undefined, 200);
    for (const q of queues.items) {
      const { id, created_at, updated_at, ...cfg } = q;
      // A short cool-down too, where the server has one (a server without
      // refuses the field; it then fails at the finding, not here).
      const cooldown = 'offer_cooldown_seconds' in q ? { offer_cooldown_seconds: 8 } : {};
      await adm('PUT', `/api/v1/queues/${id}`, { ...cfg, offer_timeout_seconds: offerSeconds, ...cooldown }, 200);
    }
  });

  if (opts.finding === '2') await findingTwo(desk, call, adm, anaID);
  else if (opts.finding === '4') await findingFour(desk, call);
  else if (opts.finding === '5') await findingFive(desk, call, benCall);
  else throw new Error(`unknown finding ${opts.finding}`);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

/** findingTwo: a live chat stays with its agent. */
async function findingTwo(desk, call, adm, anaID) {
  const first = `My card was swallowed by the ATM (${nonce})`;
  let zoe;
  let chat = '';
  await steps.run('finding 2: Ana is available; a visitor writes; Ana accepts the offer', async () => {
    await desk.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
    await desk.getByTestId('presence-select').selectOption('available');
    zoe = await visitor('Zoë', first);
    chat = await conversationWith(call, first);
    await acceptOfferFor(desk, call, chat);
    await desk.getByTestId('timeline').getByText(first, { exact: true }).waitFor();
  });

  const answer = `Let me look into that for you (${nonce})`;
  await steps.run('finding 2: Ana replies; the chat stays open and hers, holding one chat', async () => {
    const input = desk.getByTestId('composer').getByTestId('composer-input');
    await input.fill(answer);
    await desk.getByTestId('composer').getByTestId('composer-send').click();
    await zoe.locator('[data-testid="message"][data-direction="out"]', { hasText: answer }).waitFor();
    await sleep(1000); // routing has seen the reply
    const c = await call('GET', `/api/v1/conversations/${chat}`, undefined, 200);
    if (c.status !== 'open' || c.assignee_id !== anaID) {
      throw new Error(`after Ana's reply the chat is ${c.status}, assigned to ${c.assignee_id || 'nobody'}; want open and Ana's`);
    }
    const live = await adm('GET', '/api/v1/agents/live', undefined, 200);
    const me = live.items.find((a) => a.user_id === anaID);
    if (!me || me.load.chat !== 1) throw new Error(`Ana's chat load is ${JSON.stringify(me?.load)}; want the chat held (1)`);
    if (me.wrap_up_until) throw new Error(`a reply started Ana's wrap-up (until ${me.wrap_up_until})`);
    await desk.getByTestId('conversation-status').filter({ hasNotText: /pending/i }).waitFor();
  });

  const next = `It is the blue debit card (${nonce})`;
  await steps.run("finding 2: the visitor's next line shows in Ana's timeline and pops up no offer", async () => {
    await say(zoe, next);
    await desk.getByTestId('timeline').getByText(next, { exact: true }).waitFor();
    await sleep(2000); // an offer would be on screen by now
    const cards = await desk.getByTestId('offer').count();
    if (cards) throw new Error(`${cards} offer card(s) popped up for the chat Ana has open`);
    const mine = await call('GET', '/api/v1/me/offers', undefined, 200);
    if (mine.items.some((o) => o.conversation_id === chat)) throw new Error('the chat was offered again to the agent who has it');
  });
}

/** findingFour: one offer at a time; set away with a reason and a way back; cool-down, not a ban. */
async function findingFour(desk, call) {
  const convs = [];
  for (const who of ['Zoë', 'Priya', 'Omar']) {
    await steps.run(`finding 4: ${who} writes while Ana is offline`, async () => {
      const text = `${who} needs help (${nonce})`;
      await visitor(who, text);
      convs.push(await conversationWith(call, text));
    });
  }

  await steps.run('finding 4: Ana goes available: one offer card, not three', async () => {
    // The desktop's list of waiting offers answers late, after the first offer
    // arrived on the feed: that stale empty list must not take the card away.
    const fast = await slowAnswers(desk, '**/api/v1/me/offers', 2500);
    await desk.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
    await desk.getByTestId('presence-select').selectOption('available');
    await desk.getByTestId('offer').first().waitFor();
    await sleep(3000); // the others would be on screen by now, and the late list has landed; the first has 12 s to go
    await fast();
    const cards = await desk.getByTestId('offer').count();
    if (cards !== 1) throw new Error(`${cards} offer cards at once; want one at a time`);
    const hints = await desk.getByTestId('offer').first().locator('kbd').count();
    if (hints !== 2) throw new Error('the offer card does not show the keys that answer it');
  });

  await steps.run('finding 4: three offers let expire, one after another, set Ana away; the top bar says why', async () => {
    const notice = desk.getByTestId('away-notice');
    try {
      await notice.waitFor({ timeout: 4 * offerSeconds * 1000 });
    } catch {
      const p = await call('GET', '/api/v1/me', undefined, 200);
      throw new Error(`no notice of why presence changed (presence now ${(p.user ?? p).presence})`);
    }
    const text = await notice.innerText();
    if (!/3 offers missed/.test(text)) throw new Error(`the notice says "${text}", want why (3 offers missed)`);
    const sel = await desk.getByTestId('presence-select').inputValue();
    if (sel !== 'away') throw new Error(`presence shows ${sel}, want away`);
  }, 4 * offerSeconds * 1000 + timeout);

  await steps.run('finding 4: "Back to Available" in one click; the expired chats are offered again after their cool-down', async () => {
    await desk.getByTestId('away-back').click();
    await desk.getByTestId('away-notice').waitFor({ state: 'hidden' });
    const sel = await desk.getByTestId('presence-select').inputValue();
    if (sel !== 'available') throw new Error(`presence shows ${sel} after Back to Available`);
    let again = null;
    for (let i = 0; i < 80 && !again; i++) {
      const mine = await call('GET', '/api/v1/me/offers', undefined, 200);
      again = mine.items.find((o) => convs.includes(o.conversation_id)) ?? null;
      if (!again) await sleep(250);
    }
    if (!again) throw new Error('the chats Ana let expire were never offered to her again');
    await desk.locator(`[data-testid="offer"][data-offer-id="${again.id}"]`).waitFor();
  });
}

/** findingFive: the picker shows presence and capacity; a transfer to someone away falls back to the queue. */
async function findingFive(desk, call, benCall) {
  const first = `I need to change my address (${nonce})`;
  let zoe;
  let chat = '';
  await steps.run('finding 5: Ben is away; Ana takes a visitor\'s chat', async () => {
    await benCall('PUT', '/api/v1/me/presence', { presence: 'away' }, 200);
    await desk.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
    await desk.getByTestId('presence-select').selectOption('available');
    zoe = await visitor('Zoë', first);
    chat = await conversationWith(call, first);
    await acceptOfferFor(desk, call, chat);
  });

  await steps.run('finding 5: the transfer picker shows Ben away with his capacity, and warns', async () => {
    await desk.getByTestId('action-transfer').click();
    const option = desk.getByTestId('transfer-target').locator('option', { hasText: 'Ben' });
    try {
      await desk.waitForFunction(() => {
        const o = [...document.querySelectorAll('[data-testid="transfer-target"] option')].find((x) => x.textContent.includes('Ben'));
        return !!o && /away/.test(o.textContent) && /chat \d+ of \d+/.test(o.textContent);
      }, undefined, { timeout: 5000 });
    } catch {
      throw new Error(`the picker names Ben as "${await option.first().innerText()}", without his presence and capacity`);
    }
    const value = await option.first().getAttribute('value');
    await desk.getByTestId('transfer-target').selectOption(value);
    const warning = desk.getByTestId('pick-warning');
    try {
      await warning.waitFor({ timeout: 3000 });
    } catch {
      throw new Error('choosing Ben, who is away, gives no warning');
    }
    if (!/away/.test(await warning.innerText())) throw new Error(`the warning says "${await warning.innerText()}"`);
  });

  await steps.run('finding 5: transferred anyway, the chat waits for Ben, then goes back to the queue, where it is offered', async () => {
    // The transfer's answer, not its timeline line, says it is done: the line
    // is announced while the chat is still being handed from Ana to the queue.
    const answered = desk.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/conversations/${chat}/transfer`));
    await desk.getByTestId('transfer-submit').click();
    const res = await answered;
    if (!res.ok()) throw new Error(`the transfer was answered ${res.status()}`);
    await desk.locator('[data-testid="timeline-item"][data-kind="system"]', { hasText: 'goes to the Support queue' }).waitFor();
    const c = await call('GET', `/api/v1/conversations/${chat}`, undefined, 200);
    if (c.assignee_id) throw new Error(`the chat was assigned to ${c.assignee_id} while Ben is away`);
    await say(zoe, `Hello? (${nonce})`);
    // Ben's turn (the queue's offer time), then the queue: Ana, the one
    // available, once her wrap-up after handing the chat over (30 s) ends.
    let back = null;
    for (let i = 0; i < 240 && !back; i++) {
      const mine = await call('GET', '/api/v1/me/offers', undefined, 200);
      back = mine.items.find((o) => o.conversation_id === chat) ?? null;
      if (!back) await sleep(250);
    }
    if (!back) throw new Error('the chat never came back to the queue: the customer reaches no one');
    await desk.locator(`[data-testid="offer"][data-offer-id="${back.id}"]`).waitFor();
  }, 60000 + 2 * timeout);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS offers`);
} catch (err) {
  console.error(`FAIL offers at step "${steps.current}": ${err.message}`);
  if (process.env.OFFERS_SCREENSHOT && deskPage) await deskPage.screenshot({ path: process.env.OFFERS_SCREENSHOT }).catch(() => undefined);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  site?.close();
}
