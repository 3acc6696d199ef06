#!/usr/bin/env node
// Leaving with one's data (issue 12), against a running demo center: the
// admin exports all of the workspace's data (a progress bar follows the
// server's record while the browser downloads the zip), asks for the
// workspace's deletion by typing its address, sees the grace-period banner —
// as does an agent, on the desktop — and cancels; the banners go.
//
//   node web/e2e/workspace-data.mjs --base URL [--tenant northwind] [--password switchboard-demo] [--timeout 15000]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero naming the failed step; it ends with "PASS workspace-data".
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launch, signedIn, Steps, Watcher } from './lib.mjs';

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
  console.error('workspace-data: --base is required');
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
  const agent = await signedIn(browser, as('ana@northwind.example'));
  const desk = watcher.watch(agent.page, 'ana');

  await steps.run('the admin opens Workspace data from the admin menu', async () => {
    await page.goto(`${base}/desktop`);
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('nav-admin-workspace').click();
    await page.getByTestId('workspace-page').waitFor();
    if (await page.getByTestId('deletion-banner').count()) throw new Error('a deletion banner before any deletion was asked for');
  });

  await steps.run('the admin exports: a progress bar follows the download to 100%', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-start').click()]);
    await page.getByTestId('export-progress').waitFor();
    await page.locator('[data-testid="export-status"][data-state="done"]').waitFor();
    const percent = await page.getByTestId('export-progress').getAttribute('data-percent');
    if (percent !== '100') throw new Error(`the progress bar ends at ${percent}%`);
    const status = await page.getByTestId('export-status').innerText();
    if (!/Export finished/.test(status)) throw new Error(`the status reads "${status}"`);
    const name = download.suggestedFilename();
    if (!/^switchboard-.*\.zip$/.test(name)) throw new Error(`the download is named ${name}`);
    const failure = await download.failure();
    if (failure) throw new Error(`the download failed: ${failure}`);
    const zip = readFileSync(await download.path());
    if (zip.subarray(0, 2).toString() !== 'PK') throw new Error('the download is not a zip');
    for (const entry of ['manifest.json', 'tables/tenants.jsonl', 'tables/messages.jsonl', 'tables/personas.jsonl']) {
      if (!zip.includes(entry)) throw new Error(`the zip has no ${entry}`);
    }
    steps.log(`  downloaded ${name}, ${zip.length} bytes`);
    await page.locator('[data-testid="export-history"] tbody tr').first().waitFor();
  });

  await steps.run('the admin asks for the deletion by typing the address; the grace banner shows', async () => {
    const submit = page.getByTestId('deletion-submit');
    await page.getByTestId('deletion-confirm').fill('not-the-address');
    if (await submit.isEnabled()) throw new Error('Delete workspace is enabled with the wrong address typed');
    await page.getByTestId('deletion-confirm').fill(opts.tenant);
    await submit.click();
    await page.getByTestId('deletion-pending').waitFor();
    const banner = await page.getByTestId('deletion-banner').innerText();
    if (!/will be deleted on/.test(banner) || !/Review or cancel/.test(banner)) throw new Error(`the admin's banner reads "${banner}"`);
  });

  await steps.run('an agent sees the pending deletion on the desktop', async () => {
    await desk.goto(`${base}/desktop`);
    const banner = await desk.getByTestId('deletion-banner').innerText();
    if (!/will be deleted on/.test(banner) || !/ask an admin/.test(banner)) throw new Error(`the agent's banner reads "${banner}"`);
  });

  await steps.run('the admin cancels; the banners go', async () => {
    await page.getByTestId('deletion-cancel').click();
    await page.getByTestId('deletion-form').waitFor();
    await page.getByTestId('deletion-banner').waitFor({ state: 'detached' });
    await desk.reload();
    await desk.getByTestId('inbox').or(desk.getByTestId('nav-desktop')).first().waitFor();
    if (await desk.getByTestId('deletion-banner').count()) throw new Error('the agent still sees the banner after the cancel');
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  if (watcher.consoleErrors.length) throw new Error(`console errors and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS workspace-data`);
} catch (err) {
  console.error(`FAIL workspace-data at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
