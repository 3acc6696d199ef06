#!/usr/bin/env node
// The operator console, against a running demo center: a tenant's API key is
// not an operator token; the operator signs in with theirs, sees Northwind
// with its state and usage, suspends it with a reason — which its admin then
// reads on the sign-in page — resumes it, sets a limit the bank already uses
// 80 % of and sees the warning, downloads the bank's usage as CSV, and
// creates a workspace.
//
//   node web/e2e/operator.mjs --base URL --token sbo_… [--tenant northwind] [--password switchboard-demo] [--headed]
//
// It ends with "PASS operator".
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    token: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base || !opts.token) {
  console.error('operator: --base and --token are required');
  process.exit(2);
}
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const browser = await launch(opts.headed);
const fail = (msg) => {
  throw new Error(msg);
};

try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
  ctx.setDefaultTimeout(timeout);
  const page = await ctx.newPage();
  const reason = 'Paused for unpaid invoices — write to billing@operator.example';

  await steps.run('a tenant API key is not an operator token', async () => {
    await api(ctx.request, opts.base, 'POST', '/api/v1/auth/login', { tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password }, 200);
    const key = await api(ctx.request, opts.base, 'POST', '/api/v1/api-keys', { name: 'not an operator', scopes: ['admin'] }, 201);
    await page.goto(`${opts.base}/operator`);
    await page.getByLabel('Operator token').fill(key.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not an operator token' }).waitFor();
  });

  await steps.run('the operator signs in and sees the tenants', async () => {
    await page.getByLabel('Operator token').fill(opts.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator('tr[data-tenant="northwind"]');
    await row.waitFor();
    const text = await row.innerText();
    if (!/Conversations/.test(text) || !/(sandbox|live)/.test(text)) fail(`northwind's row: ${text}`);
    const violations = await axe(page);
    if (violations.length) fail(`accessibility:\n${violations.join('\n')}`);
  });

  const row = page.locator('tr[data-tenant="northwind"]');
  await steps.run('suspend with a reason', async () => {
    await row.getByRole('button', { name: 'Suspend…' }).click();
    await row.getByLabel(/Reason/).fill(reason);
    await row.getByRole('button', { name: /^Suspend Northwind/ }).click();
    await row.getByText('suspended', { exact: true }).waitFor();
    await row.getByText(`Reason: ${reason}`).waitFor();
  });

  await steps.run("the bank's admin reads the reason at sign-in", async () => {
    const admin = await browser.newContext({ locale: 'en-US' });
    admin.setDefaultTimeout(timeout);
    const p = await admin.newPage();
    await p.goto(`${opts.base}/`);
    await p.locator('#login-tenant').fill(opts.tenant);
    await p.locator('#login-email').fill('admin@northwind.example');
    await p.locator('#login-password').fill(opts.password);
    await p.getByTestId('login-submit').click();
    try {
      await p.getByText(reason).waitFor({ timeout: 5000 });
    } catch {
      fail(`sign-in does not show the reason; the page says:\n${await p.locator('body').innerText()}`);
    }
    await admin.close();
  });

  await steps.run('resume', async () => {
    await row.getByRole('button', { name: 'Resume' }).click();
    await row.getByRole('button', { name: 'Suspend…' }).waitFor();
    if ((await row.innerText()).includes('Reason:')) fail('the reason is still shown after the resume');
  });

  await steps.run('a limit used 80 % shows a warning', async () => {
    await row.getByRole('button', { name: 'Edit limits…' }).click();
    await row.getByLabel(/^Agents/).fill('1');
    await row.getByRole('button', { name: 'Save limits' }).click();
    await row.getByText('Agents: 1').waitFor();
    await row.getByRole('status').filter({ hasText: /agents: \d+ of 1 used/ }).waitFor();
  });

  await steps.run("the bank's admin sees the warning too", async () => {
    const { ctx: admin, page: p } = await signedIn(browser, {
      base: opts.base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout,
    });
    await p.goto(`${opts.base}/admin/api-keys`);
    await p.getByTestId('plan-warnings').filter({ hasText: /agents \d+ of 1 used/ }).waitFor();
    await admin.close();
  });

  await steps.run('download the usage CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Usage CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\n');
    if (lines[0] !== 'tenant_id,tenant_slug,month,metric,channel,value') fail(`CSV header: ${lines[0]}`);
    if (!lines.some((l) => /,northwind,\d{4}-\d{2},conversations,,\d+$/.test(l))) fail(`CSV:\n${csv}`);
  });

  await steps.run('create a workspace', async () => {
    await page.getByLabel('Business name').fill('Acme Corp');
    await page.getByLabel('Workspace address').fill('acme');
    await page.getByLabel('Admin email').fill('ana@acme.example');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('status').filter({ hasText: '/reset-password?token=' }).waitFor();
    await page.locator('tr[data-tenant="acme"]').getByText('sandbox', { exact: true }).waitFor();
  });

  console.log('PASS operator');
} catch (err) {
  console.error(`FAIL operator at step "${steps.current}": ${err.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
