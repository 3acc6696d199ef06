#!/usr/bin/env node
// Scheduled reports (issue 16) against a running demo center whose relay the
// test holds: the supervisor opens the Reports page, creates a weekly
// schedule for themselves and an outside address in the Schedules section,
// presses "send now" and is told both have it (the Go test then reads the
// mails at its SMTP sink); an agent may not list schedules; the section has
// no serious axe findings; and the link a report mail carries opens the
// page on the mail's range, zone and filter.
//
//   node web/e2e/report-schedules.mjs --base URL [--tenant northwind] [--password switchboard-demo] [--name NAME] [--timeout 15000] [--headed]
//
// It ends with "PASS report-schedules".
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    name: { type: 'string', default: 'Weekly overview' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('report-schedules: --base is required');
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
  const supEmail = `supervisor@${opts.tenant}.example`;
  const sup = await signedIn(browser, as(supEmail));
  const anaS = await signedIn(browser, as(`ana@${opts.tenant}.example`));
  const page = watcher.watch(sup.page, 'supervisor');

  await steps.run('an agent may not list schedules', async () => {
    await api(anaS.ctx.request, base, 'GET', '/api/v1/report-schedules', undefined, 403);
  });

  await steps.run('the supervisor creates a weekly schedule in the Schedules section', async () => {
    await page.goto(`${base}/admin/reports`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('rsched-section').waitFor();
    await page.getByTestId('rsched-new').click();
    await page.getByTestId('rsched-name').fill(opts.name);
    await page.getByTestId('rsched-frequency').selectOption('weekly');
    await page.getByTestId('rsched-weekday').selectOption('1');
    await page.getByTestId('rsched-at').fill('07:30');
    await page.getByTestId('rsched-tz').fill('Europe/Lisbon');
    await page.locator(`[data-testid="rsched-recipient"][data-email="${supEmail}"]`).check();
    await page.getByTestId('rsched-extra').fill('area.manager@example.com');
    await page.getByTestId('rsched-save').click();
    const row = page.locator(`[data-testid="rsched-row"][data-name="${opts.name}"]`);
    await row.waitFor();
    const text = await row.textContent();
    if (!text.includes('07:30') || !text.includes('Europe/Lisbon') || !text.includes('Next:')) throw new Error(`the row says: ${text}`);
  });

  await steps.run('a bad time zone is refused and named', async () => {
    await page.getByTestId('rsched-new').click();
    await page.getByTestId('rsched-name').fill(`${opts.name} (bad)`);
    await page.getByTestId('rsched-tz').fill('Mars/Olympus');
    await page.locator(`[data-testid="rsched-recipient"][data-email="${supEmail}"]`).check();
    await page.getByTestId('rsched-save').click();
    await page.locator('#rsched-tz-hint.field-error').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  await steps.run('"send now" mails it and says to how many', async () => {
    const row = page.locator(`[data-testid="rsched-row"][data-name="${opts.name}"]`);
    await row.getByTestId('rsched-send').click();
    const notice = page.getByTestId('rsched-notice');
    await notice.filter({ hasText: 'Sent to 2 recipients' }).waitFor();
    await row.filter({ hasText: 'sent' }).waitFor();
  });

  await steps.run('axe finds nothing serious in the section', async () => {
    const found = (await axe(page)).filter((v) => v.includes('rsched') || v.includes('Schedules'));
    if (found.length) throw new Error(`axe:\n  ${found.join('\n  ')}`);
  });

  await steps.run("a report mail's link opens the page on its range, zone and filter", async () => {
    await page.goto(`${base}/admin/reports?channel=email&from=2026-11-30&to=2026-12-06&tz=Europe%2FLisbon`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('rep-from').waitFor();
    const got = [await page.getByTestId('rep-from').inputValue(), await page.getByTestId('rep-to').inputValue(), await page.getByTestId('rep-tz').inputValue(),
      await page.getByTestId('rep-dim').inputValue(), await page.getByTestId('rep-value').inputValue()];
    if (got.join('|') !== '2026-11-30|2026-12-06|Europe/Lisbon|channel|email') throw new Error(`the page shows ${got.join(' ')}`);
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS report-schedules`);
} catch (err) {
  console.error(`FAIL report-schedules at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
