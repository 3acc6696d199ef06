#!/usr/bin/env node
// Search finds customers (issue 11, finding 8), against a running demo center.
//
// Ana, an agent, types "Zoë" and then "Priya" in the desktop's search while
// her view is Mine: each finds the customer's conversation, though neither
// name is in any message and neither conversation is hers. She has an All
// view. On the customers page she finds both Zoës ("zoe" finds "Zoë Müller"
// and "Zoe Mueller", whom a business system posted from a number nobody
// proved; "0151 2222 3333" finds the latter too),
// opens Zoë's profile (her email verified by mail), and merges the other
// record into hers after a confirmation: the profile then lists both
// conversations, the unproven number only as a claim, the other record is no
// longer listed, and the admin's audit log has the merge.
//
//   node web/e2e/people.mjs --base URL [--tenant northwind] [--password switchboard-demo] \
//     [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS people".
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
  console.error('people: --base is required');
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
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const asAdmin = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);

  await steps.run('a business system posts a message from "Zoe Mueller" at a number nobody proved', async () => {
    await asAdmin('POST', '/api/v1/channels/api/messages', {
      from: { kind: 'phone', value: '+49 151 2222 3333' }, name: 'Zoe Mueller',
      body: 'It is Zoe again, from my new phone: is my card unblocked?',
    }, 201);
  });

  const search = desk.getByTestId('inbox-search');
  const row = (name) => desk.locator('[data-testid="inbox-row"]').filter({ has: desk.getByTestId('inbox-row-name').getByText(name, { exact: true }) });
  await steps.run('Ana, in her Mine view, types "Zoë" in the desktop search and finds Zoë Müller', async () => {
    await desk.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded' });
    await desk.getByTestId('inbox-view-mine').waitFor();
    await desk.getByTestId('inbox-view-mine').click();
    await search.fill('Zoë');
    try {
      await row('Zoë Müller').first().waitFor({ timeout: 5000 });
    } catch {
      const shown = await desk.getByTestId('inbox-shown').innerText();
      throw new Error(`searching "Zoë" shows no row for Zoë Müller (${shown})`);
    }
  });

  await steps.run('"Priya" finds Priya Nair, and "zoe" (no accent) finds Zoë Müller', async () => {
    await search.fill('Priya');
    try {
      await row('Priya Nair').first().waitFor({ timeout: 5000 });
    } catch {
      throw new Error('searching "Priya" shows no row for Priya Nair');
    }
    await search.fill('zoe');
    await row('Zoë Müller').first().waitFor({ timeout: 5000 });
    await search.fill('');
  });

  await steps.run('Ana has an All view, listing every open conversation', async () => {
    const all = desk.getByTestId('inbox-view-all');
    try {
      await all.waitFor({ timeout: 5000 });
    } catch {
      throw new Error('an agent has no All view');
    }
    await all.click();
    for (const name of ['Zoë Müller', 'Priya Nair', 'Omar Haddad', 'Zoe Mueller']) await row(name).first().waitFor();
  });

  const page = desk;
  const customerRow = (name) => page.locator(`[data-testid="customer-row"][data-name="${name}"]`);
  await steps.run('the customers page finds both Zoës by "zoe", the other by her number as written at home, and shows Zoë’s verified email', async () => {
    try {
      await page.getByTestId('nav-customers').click({ timeout: 5000 });
      await page.getByTestId('customers-page').waitFor({ timeout: 5000 });
    } catch {
      throw new Error('there is no customers page in the menu');
    }
    await customerRow('Priya Nair').waitFor(); // the whole list first
    await page.getByTestId('customers-search').fill('zoe');
    await customerRow('Priya Nair').waitFor({ state: 'detached' });
    await customerRow('Zoë Müller').waitFor();
    await customerRow('Zoe Mueller').waitFor();
    const rows = await page.getByTestId('customer-row').count();
    if (rows !== 2) {
      const names = await page.getByTestId('customer-row').evaluateAll((els) => els.map((e) => `${e.dataset.name}: ${e.innerText.replace(/\s+/g, ' ')}`));
      throw new Error(`"zoe" lists ${rows} customers, want the two Zoës: ${names.join(' | ')}`);
    }
    await page.getByTestId('customers-search').fill('0151 2222 3333');
    await customerRow('Zoë Müller').waitFor({ state: 'detached' });
    await customerRow('Zoe Mueller').waitFor();
    await page.getByTestId('customers-search').fill('zoe');
    await customerRow('Zoë Müller').waitFor();
    await customerRow('Zoë Müller').click();
    const profile = page.getByTestId('customer-profile');
    await profile.getByTestId('customer-name').getByText('Zoë Müller').waitFor();
    await profile.locator('[data-testid="customer-identifier"][data-kind="email"][data-verified="true"]', { hasText: 'zoe.mueller@example.com' }).waitFor();
    await profile.getByTestId('customer-conversation').first().waitFor();
    const n = await profile.getByTestId('customer-conversation').count();
    if (n !== 1) throw new Error(`Zoë's profile lists ${n} conversations before the merge, want 1`);
    await profile.getByTestId('customer-consent').waitFor();
    const violations = await axe(page);
    if (violations.length) throw new Error(`the customers page has accessibility violations:\n  ${violations.join('\n  ')}`);
  });

  await steps.run('Ana merges the other record into Zoë’s after confirming; the profile lists both conversations, the number as a claim', async () => {
    const profile = page.getByTestId('customer-profile');
    await profile.getByTestId('merge-search').fill('Mueller');
    const candidate = profile.locator('[data-testid="merge-candidate"][data-name="Zoe Mueller"]');
    await candidate.click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    const text = await dialog.innerText();
    if (!text.includes('Zoe Mueller') || !text.includes('Zoë Müller')) throw new Error(`the confirmation says "${text}"`);
    await dialog.getByTestId('confirm-ok').click();
    await profile.getByTestId('merge-notice').getByText('Zoe Mueller was merged into Zoë Müller.').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="customer-conversation"]').length === 2);
    await profile.locator('[data-testid="customer-claim"][data-kind="phone"]', { hasText: '+4915122223333' }).waitFor();
    await page.locator('[data-testid="customer-row"][data-name="Zoe Mueller"]').waitFor({ state: 'detached' });
    const log = await asAdmin('GET', '/api/v1/audit-log?limit=5', undefined, 200);
    if (!log.items.some((e) => e.action === 'persona.merge')) throw new Error(`the audit log has no merge: ${JSON.stringify(log.items.map((e) => e.action))}`);
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS people`);
} catch (err) {
  console.error(`FAIL people at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
