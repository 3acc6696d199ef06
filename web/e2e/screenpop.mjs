#!/usr/bin/env node
// The screen-pop (issue 14), against a running demo center.
//
// Ana, an agent, opens Zoë's conversation: beside it, at most ten items from
// every source, each with a why line, Core banking's among them. She opens one
// and its fields show in place; she inserts one into her reply; she marks one
// not relevant and it goes. Each act reaches the server as feedback. When she
// goes available, the offer card shows the top three for the offered
// contact. Sam, a
// supervisor, opens the screen-pop ranking page, reads what it learned and
// resets it.
//
//   node web/e2e/screenpop.mjs --base URL [--tenant northwind] [--password switchboard-demo] \
//     [--timeout 15000] [--headed]
//
// It exits non-zero with a message naming the failed step; it ends with "PASS screenpop".
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
  console.error('screenpop: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });

let browser;

async function main() {
  browser = await launch(opts.headed);
  const ana = await signedIn(browser, as('ana@northwind.example'));
  const desk = watcher.watch(ana.page, 'ana');
  const asAna = (method, path, body, want) => api(ana.ctx.request, base, method, path, body, want);
  const feedback = [];
  desk.on('response', (res) => {
    const r = res.request();
    if (r.method() === 'POST' && r.url().endsWith('/context/feedback')) feedback.push(`${JSON.parse(r.postData() || '{}').kind}:${res.status()}`);
  });

  let pop;
  await steps.run('Ana opens Zoë\'s conversation: ranked items with why, Core banking\'s among them', async () => {
    const people = await asAna('GET', '/api/v1/personas?q=Zo%C3%AB%20M%C3%BCller&limit=5', undefined, 200);
    const zoe = people.items.find((p) => p.name === 'Zoë Müller');
    if (!zoe) throw new Error('no Zoë Müller among the customers');
    const convs = await asAna('GET', `/api/v1/conversations?persona_id=${zoe.id}&limit=5`, undefined, 200);
    if (!convs.items.length) throw new Error('Zoë has no conversation');
    await desk.goto(`${base}/desktop/c/${convs.items[0].id}`, { waitUntil: 'domcontentloaded' });
    pop = desk.getByTestId('screen-pop');
    await pop.getByTestId('screen-pop-item').first().waitFor();
    const n = await pop.getByTestId('screen-pop-item').count();
    if (n < 2 || n > 10) throw new Error(`${n} items shown`);
    if ((await pop.locator('[data-testid="screen-pop-item"][data-source="Core banking"]').count()) === 0) throw new Error('no Core banking item');
    const first = pop.getByTestId('screen-pop-item').first();
    if ((await first.getAttribute('data-position')) !== '1') throw new Error('the first item is not at position 1');
    const why = (await first.getByTestId('screen-pop-why').innerText()).trim();
    if (!why) throw new Error('the first item has no why line');
    steps.log(`  ${n} items; the first says: ${why}`);
  });

  await steps.run('she opens the first item: its fields show in place, and the ranking hears "open"', async () => {
    const first = pop.getByTestId('screen-pop-item').first();
    await first.getByTestId('screen-pop-open').click();
    await first.getByTestId('screen-pop-fields').waitFor();
  });

  await steps.run('she inserts it into her reply ("use")', async () => {
    const first = pop.getByTestId('screen-pop-item').first();
    const title = (await first.getByTestId('screen-pop-open').innerText()).trim();
    await first.getByTestId('screen-pop-insert').click();
    await desk.waitForFunction((t) => document.querySelector('[data-testid="composer-input"]')?.value.includes(t), title, { timeout });
  });

  await steps.run('she marks the last item not relevant and it goes ("dismiss")', async () => {
    const items = pop.getByTestId('screen-pop-item');
    const before = await items.count();
    const last = items.last();
    const key = await last.getAttribute('data-key');
    await last.getByTestId('screen-pop-dismiss').click();
    await pop.locator(`[data-testid="screen-pop-item"][data-key="${key}"]`).waitFor({ state: 'detached' });
    if ((await items.count()) !== before - 1) throw new Error('the dismissed item is still shown');
  });

  await steps.run('each act reached the server', async () => {
    const deadline = Date.now() + timeout;
    while (feedback.length < 3 && Date.now() < deadline) await desk.waitForTimeout(50);
    const got = feedback.join(',');
    if (got !== 'open:204,use:204,dismiss:204') throw new Error(`feedback sent: ${got}`);
  });

  await steps.run('Ana goes available: the offer card shows the top three for the contact, with why', async () => {
    await asAna('PUT', '/api/v1/me/presence', { presence: 'available' }, 200);
    const card = desk.getByTestId('offer').first().getByTestId('offer-context');
    await card.waitFor();
    const items = card.getByTestId('offer-context-item');
    const n = await items.count();
    if (n < 1 || n > 3) throw new Error(`${n} items on the offer card`);
    if ((await items.first().getAttribute('data-position')) !== '1') throw new Error('the card does not start at position 1');
    steps.log(`  the card shows: ${(await items.first().innerText()).trim()}`);
  });

  await steps.run('the screen-pop has no serious accessibility violations', async () => {
    const found = await axe(desk);
    if (found.length) throw new Error(found.join('\n'));
  });

  const sam = await signedIn(browser, as('supervisor@northwind.example'));
  const page = watcher.watch(sam.page, 'sam');
  page.on('dialog', (d) => d.accept());
  await steps.run('Sam opens the screen-pop ranking: the defaults, and resets', async () => {
    await page.goto(`${base}/admin/context-model`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('cm-summary').waitFor();
    if ((await page.getByTestId('cm-row').count()) === 0) throw new Error('no features listed');
    await page.getByTestId('cm-reset').click();
    await page.getByText('The ranking uses the defaults again.').waitFor();
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS screenpop`);
} catch (err) {
  console.error(`FAIL screenpop at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
