#!/usr/bin/env node
// Context connectors (issue 14), against a running demo center.
//
// The admin finds Northwind's Core banking connector (served by the demo node
// itself), adds a "billing" system that cannot be reached, tests Core banking
// for Zoë and sees her cards, transactions, loan and appointment come back
// signed, and reads its figures. Ana, an agent, opens Zoë's conversation: the
// screen-pop beside it ranks Core banking's items — the blocked card among
// them, the blocked card or the declined payment first of them — and names
// "billing is not answering".
//
//   node web/e2e/context.mjs --base URL [--tenant northwind] [--password switchboard-demo] \
//     [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS context".
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
  console.error('context: --base is required');
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
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const page = watcher.watch(admin.page, 'admin');
  const asAdmin = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);

  await steps.run('the admin opens Context connectors and finds Core banking', async () => {
    await page.goto(`${base}/admin/context-connectors`, { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid="ctx-row"][data-name="Core banking"]').waitFor();
  });

  await steps.run('she adds "billing", a system that cannot be reached, and is shown its secret once', async () => {
    await page.locator('#ctx-name').fill('billing');
    await page.locator('#ctx-url').fill('https://billing.northwind.invalid/switchboard/context');
    await page.locator('#ctx-budget_ms').fill('500');
    await page.getByTestId('ctx-submit').click();
    const secret = await page.getByTestId('ctx-secret').inputValue();
    if (!secret.includes('whsec_')) throw new Error(`no secret shown: ${secret}`);
    await page.locator('[data-testid="ctx-row"][data-name="billing"]').waitFor();
  });

  await steps.run('she tests Core banking for Zoë and sees what came back', async () => {
    const row = page.locator('[data-testid="ctx-row"][data-name="Core banking"]');
    await row.getByTestId('ctx-test').click();
    const panel = page.getByTestId('ctx-test-panel');
    await panel.getByTestId('ctx-customer-q').fill('Zoë');
    await panel.getByRole('button', { name: 'Find' }).click();
    await panel.getByTestId('ctx-call').first().click();
    const result = panel.getByTestId('ctx-test-result');
    await result.waitFor();
    const status = await result.getAttribute('data-status');
    if (status !== 'ok') throw new Error(`test status ${status}: ${await result.innerText()}`);
    for (const type of ['card', 'transaction', 'loan', 'appointment']) {
      if ((await result.locator(`[data-testid="context-item"][data-type="${type}"]`).count()) === 0) throw new Error(`no ${type} in the test's answer`);
    }
  });

  await steps.run('its figures count the call', async () => {
    await page.locator('[data-testid="ctx-row"][data-name="Core banking"]').getByTestId('ctx-stats').click();
    const calls = Number(await page.getByTestId('ctx-calls').innerText());
    if (!(calls >= 1)) throw new Error(`calls shown: ${calls}`);
  });

  await steps.run('the page has no serious accessibility violations', async () => {
    const found = await axe(page);
    if (found.length) throw new Error(found.join('\n'));
  });

  const ana = await signedIn(browser, as('ana@northwind.example'));
  const desk = watcher.watch(ana.page, 'ana');
  await steps.run('Ana opens Zoë\'s conversation: Core banking\'s items in the screen-pop, and "billing is not answering"', async () => {
    const people = await asAdmin('GET', '/api/v1/personas?q=Zo%C3%AB%20M%C3%BCller&limit=5', undefined, 200);
    const zoe = people.items.find((p) => p.name === 'Zoë Müller');
    if (!zoe) throw new Error('no Zoë Müller among the customers');
    const convs = await asAdmin('GET', `/api/v1/conversations?persona_id=${zoe.id}&limit=5`, undefined, 200);
    if (!convs.items.length) throw new Error('Zoë has no conversation');
    const started = Date.now();
    await desk.goto(`${base}/desktop/c/${convs.items[0].id}`, { waitUntil: 'domcontentloaded' });
    const pop = desk.getByTestId('screen-pop');
    const card = pop.locator('[data-testid="screen-pop-item"][data-source="Core banking"][data-key*="/cards/"]').first();
    await card.waitFor();
    const cardText = await card.innerText();
    if (!/blocked/.test(cardText)) throw new Error(`Core banking's card is not the blocked one: ${cardText}`);
    // Among Core banking's items, what it marked important for her words ranks first: the
    // blocked card or the declined payment, not the loan or the appointment.
    const firstOfBank = await pop.locator('[data-testid="screen-pop-item"][data-source="Core banking"]').first().innerText();
    if (!/blocked|declined/.test(firstOfBank)) throw new Error(`Core banking's first item: ${firstOfBank}`);
    const down = pop.locator('[data-testid="screen-pop-down"][data-name="billing"]');
    await down.waitFor();
    const line = await down.innerText();
    if (line.trim() !== 'billing is not answering') throw new Error(`billing's line: ${line}`);
    steps.log(`  the panel was filled ${Date.now() - started} ms after opening the conversation`);
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS context`);
} catch (err) {
  console.error(`FAIL context at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
