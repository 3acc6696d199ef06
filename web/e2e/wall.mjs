#!/usr/bin/env node
// The wall's numbers are right and say what they count (issue 11, finding 6),
// against a running demo center.
//
// A small scripted morning in two new queues that only Ana and Ben serve:
// contact X enters Wall Alpha, is offered to Ana, who declines, then to Ben
// (a re-offer), and a supervisor transfers it to Wall Beta, where it is
// accepted; contact Y enters Wall Alpha, is offered, and is resolved before
// anyone answers. Worked out by hand, Wall Alpha: offered 2 (X once, though
// offered twice), answered 0, abandoned 1 (Y; X was transferred, not
// abandoned), transferred out 1, still in queue 0, offer attempts 3. Wall
// Beta: offered 1, answered 1, offer attempts 1. The supervisor's wall shows
// these figures, and each figure's definition as a tooltip on hover and on
// keyboard focus; the at-risk list says what "at risk" means.
//
//   node web/e2e/wall.mjs --base URL [--tenant northwind] [--password switchboard-demo] [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS wall".
import { parseArgs } from 'node:util';
import { api, launch, signedIn, Steps, Watcher } from './lib.mjs';

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
  console.error('wall: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = Math.random().toString(36).slice(2, 8);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let browser;

/** until polls fn until it returns a truthy value, or fails naming what. */
async function until(what, fn) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

/** offerOf waits for an open offer of a conversation to one of the agents. */
async function offerOf(conv, agents) {
  return until(`an offer of ${conv}`, async () => {
    for (const [name, call] of Object.entries(agents)) {
      const offers = await call('GET', '/api/v1/me/offers', undefined, 200);
      const o = offers.items.find((x) => x.conversation_id === conv);
      if (o) return { ...o, agent: name };
    }
    return null;
  });
}

const WANT = {
  'Wall Alpha': { offered: 2, answered: 0, abandoned: 1, transferred_out: 1, in_queue: 0, offer_attempts: 3 },
  'Wall Beta': { offered: 1, answered: 1, abandoned: 0, transferred_out: 0, in_queue: 0, offer_attempts: 1 },
};
const TESTIDS = {
  offered: 'wall-offered',
  answered: 'wall-answered',
  abandoned: 'wall-abandoned',
  transferred_out: 'wall-transferred-out',
  in_queue: 'wall-in-queue',
  offer_attempts: 'wall-offer-attempts',
};

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
  const sessions = {};
  for (const who of ['ana', 'ben', 'chloe', 'erik']) {
    const s = await signedIn(browser, as(`${who}@northwind.example`));
    sessions[who] = (method, path, body, want) => api(s.ctx.request, base, method, path, body, want);
  }
  const users = (await adm('GET', '/api/v1/users?limit=100', undefined, 200)).items;
  const id = (email) => users.find((u) => u.email === email).id;

  let alpha, beta;
  await steps.run('two queues only Ana and Ben serve; everyone else offline', async () => {
    alpha = (await adm('POST', '/api/v1/queues', { name: 'Wall Alpha', strategy: 'longest_idle', channels: ['api'], offer_timeout_seconds: 600 }, 201)).id;
    beta = (await adm('POST', '/api/v1/queues', { name: 'Wall Beta', strategy: 'longest_idle', offer_timeout_seconds: 600 }, 201)).id;
    for (const who of ['ana', 'ben']) {
      await adm('PUT', `/api/v1/users/${id(`${who}@northwind.example`)}/routing`, { queues: [alpha, beta], capacity: { message: 5 }, wrap_up_seconds: 0 }, 200);
    }
    for (const who of ['ben', 'chloe', 'erik']) await sessions[who]('PUT', '/api/v1/me/presence', { presence: 'offline' }, 200);
    await sessions.ana('PUT', '/api/v1/me/presence', { presence: 'available' }, 200);
  });

  const agents = { ana: sessions.ana, ben: sessions.ben };
  const contact = async (who) =>
    (await adm('POST', '/api/v1/channels/api/messages', { from: { kind: 'external', value: `wall-${who}-${nonce}` }, name: `Customer ${who}`, body: `Hello from ${who}` }, 201))
      .conversation.id;

  let x;
  await steps.run('X enters Wall Alpha; Ana declines it; Ben comes online and is offered it (a re-offer)', async () => {
    x = await contact('x');
    const o = await offerOf(x, { ana: sessions.ana });
    if (o.queue_id !== alpha) throw new Error(`X was offered in queue ${o.queue_name}, want Wall Alpha`);
    await sessions.ana('POST', `/api/v1/offers/${o.id}/decline`, undefined, 204);
    await sessions.ben('PUT', '/api/v1/me/presence', { presence: 'available' }, 200);
    await offerOf(x, { ben: sessions.ben });
  });

  await steps.run('a supervisor transfers X to Wall Beta, where it is accepted', async () => {
    await adm('POST', `/api/v1/conversations/${x}/transfer`, { queue_id: beta }, 200);
    const o = await until('X is offered in Wall Beta', async () => {
      const got = await offerOf(x, agents);
      return got.queue_id === beta ? got : null;
    });
    await agents[o.agent]('POST', `/api/v1/offers/${o.id}/accept`, undefined, 204);
  });

  await steps.run('Y enters Wall Alpha, is offered, and is resolved before anyone answers', async () => {
    const y = await contact('y');
    await offerOf(y, agents);
    await adm('PATCH', `/api/v1/conversations/${y}`, { status: 'resolved' }, 200);
    await until('the offer of Y is withdrawn', async () => {
      for (const call of Object.values(agents)) {
        const offers = await call('GET', '/api/v1/me/offers', undefined, 200);
        if (offers.items.some((o) => o.conversation_id === y)) return false;
      }
      return true;
    });
  });

  await steps.run("today's report has the hand-worked figures", async () => {
    await until('the report matches', async () => {
      const rep = await adm('GET', `/api/v1/reports/today?tz=UTC`, undefined, 200);
      return Object.entries(WANT).every(([name, want]) => {
        const q = rep.queues.find((r) => r.name === name);
        return q && Object.entries(want).every(([k, v]) => q[k] === v);
      });
    }).catch(async (err) => {
      const rep = await adm('GET', `/api/v1/reports/today?tz=UTC`, undefined, 200);
      throw new Error(`${err.message}: ${JSON.stringify(rep.queues.filter((q) => WANT[q.name]))}`);
    });
  });

  const sup = await signedIn(browser, { ...as('supervisor@northwind.example') });
  const page = watcher.watch(sup.page, 'supervisor');
  await steps.run('the wall shows the same figures on each queue tile', async () => {
    await page.goto(`${base}/wall`, { waitUntil: 'domcontentloaded' });
    for (const [name, want] of Object.entries(WANT)) {
      const tile = page.locator(`[data-testid="wall-queue"][data-queue="${name}"]`);
      await tile.waitFor();
      for (const [k, v] of Object.entries(want)) {
        const fig = tile.getByTestId(TESTIDS[k]);
        try {
          await fig.filter({ hasText: new RegExp(`^${v}$`) }).waitFor({ timeout: 5000 });
        } catch {
          throw new Error(`${name}: ${k} shows "${await fig.innerText()}", want ${v}`);
        }
      }
    }
  });

  await steps.run('every figure has its definition as a tooltip, on hover and on keyboard focus', async () => {
    const tile = page.locator('[data-testid="wall-queue"][data-queue="Wall Alpha"]');
    const ids = ['wall-waiting', 'wall-longest-wait', ...Object.values(TESTIDS), 'wall-sla-met'];
    for (const tid of ids) {
      const tip = tile.getByTestId(`${tid}-tip`);
      if ((await tip.getAttribute('role')) !== 'tooltip') throw new Error(`${tid} has no tooltip`);
      if (await tip.isVisible()) throw new Error(`${tid}'s tooltip shows before anyone asks`);
      const figure = tile.locator('.wall-figure', { has: page.getByTestId(tid) });
      const tipID = await tip.getAttribute('id');
      if ((await figure.getAttribute('aria-describedby')) !== tipID) throw new Error(`${tid} is not described by its tooltip`);
      await figure.hover();
      await tip.waitFor({ state: 'visible' });
      if ((await tip.innerText()).trim().length < 20) throw new Error(`${tid}'s tooltip says too little: "${await tip.innerText()}"`);
    }
    await page.mouse.move(0, 0);
    const offered = tile.locator('.wall-figure', { has: page.getByTestId('wall-offered') });
    await offered.focus();
    const tip = tile.getByTestId('wall-offered-tip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    if (!/once/i.test(text) || !/Answered \+ Abandoned \+ Transferred out \+ Still in queue = Offered/.test(text)) {
      throw new Error(`the Offered tooltip does not define it: "${text}"`);
    }
    if (!/transfer is not an abandon/i.test(await tile.getByTestId('wall-abandoned-tip').textContent())) {
      throw new Error('the Abandoned tooltip does not say a transfer is not an abandon');
    }
    const risk = await page.getByTestId('wall-risk-help').innerText();
    if (!/warning point/.test(risk)) throw new Error(`the at-risk list does not say what at risk means: "${risk}"`);
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS wall`);
} catch (err) {
  console.error(`FAIL wall at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
