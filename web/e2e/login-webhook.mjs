#!/usr/bin/env node
// Drives the Switchboard browser app through its first journey against a running
// server: sign in, change presence, register a webhook, ping it, create an API key,
// sign out. It exits non-zero with a message naming the failed step.
//
//   node web/e2e/login-webhook.mjs --base http://127.0.0.1:18080 --tenant northwind \
//     --email admin@northwind.example --password '…' --screenshots /tmp/shots \
//     [--hook-url http://127.0.0.1:9/hook] [--timeout 10000] [--headed] [--no-realtime]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and never
// downloads browsers.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.error('login-webhook: playwright-core is missing; run `npm ci` in web/ first');
  process.exit(2);
}

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    email: { type: 'string' },
    password: { type: 'string' },
    screenshots: { type: 'string', default: '' },
    'hook-url': { type: 'string', default: 'http://127.0.0.1:9/hook' },
    timeout: { type: 'string', default: '10000' },
    headed: { type: 'boolean', default: false },
    // For a server without the realtime feed yet: do not require "Connected".
    'no-realtime': { type: 'boolean', default: false },
  },
  strict: true,
});

function usage(msg) {
  console.error(`login-webhook: ${msg}`);
  console.error(
    'usage: node login-webhook.mjs --base URL --tenant SLUG --email EMAIL --password PASSWORD [--screenshots DIR] [--hook-url URL] [--timeout MS]',
  );
  process.exit(2);
}

if (!opts.base) usage('--base is required');
if (!opts.email) usage('--email is required');
if (!opts.password) usage('--password is required');
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
if (!Number.isFinite(timeout) || timeout <= 0) usage('--timeout must be a positive number of milliseconds');
const shotsDir = opts.screenshots ? resolve(opts.screenshots) : '';
if (shotsDir) mkdirSync(shotsDir, { recursive: true });

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
let current = 'start';

/** step runs one named part of the journey with its own deadline. */
async function step(name, fn) {
  current = name;
  console.log(`[${elapsed()}] ▶ ${name}`);
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeout * 2} ms`)), timeout * 2);
  });
  try {
    const result = await Promise.race([fn(), deadline]);
    console.log(`[${elapsed()}] ✓ ${name}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
let browser;
let page;
const consoleErrors = [];
const serverErrors = [];

async function screenshot(name) {
  if (!shotsDir || !page) return;
  const file = join(shotsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`    screenshot ${file}`);
}

/** expectURL waits until the page's path is the given one. */
async function expectPath(path) {
  await page.waitForURL((u) => u.pathname === path, { timeout });
}

async function main() {
  browser = await chromium.launch({
    executablePath,
    headless: !opts.headed,
    args: [
      ...(opts.headed ? [] : ['--headless']),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    permissions: [],
  });
  context.setDefaultTimeout(timeout);
  page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 500) serverErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });

  await step('open / and land on the sign-in page', async () => {
    await page.goto(`${base}/`, { waitUntil: 'domcontentloaded', timeout });
    await expectPath('/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  await step('sign in', async () => {
    await page.getByLabel('Workspace').fill(opts.tenant);
    await page.getByLabel('Email').fill(opts.email);
    await page.getByLabel('Password', { exact: true }).fill(opts.password);
    await screenshot('login');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Either the desktop appears, or the error region explains why not.
    const outcome = await Promise.race([
      page.waitForURL((u) => u.pathname === '/desktop', { timeout }).then(() => 'ok'),
      page
        .locator('[data-testid="login-error"]:not(:empty)')
        .waitFor({ timeout })
        .then(() => 'error'),
    ]);
    if (outcome === 'error') {
      throw new Error(`sign-in refused: ${(await page.getByTestId('login-error').innerText()).trim()}`);
    }
  });

  let userName = '';
  await step('desktop shows the user, tenant and an empty inbox', async () => {
    const name = page.getByTestId('user-name');
    await name.waitFor();
    userName = (await name.innerText()).trim();
    if (!userName) throw new Error('the top bar shows no user name');
    const me = await page.evaluate(async () => {
      const r = await fetch('/api/v1/me', { credentials: 'same-origin' });
      return r.ok ? r.json() : { status: r.status };
    });
    if (me?.user?.name && me.user.name !== userName) {
      throw new Error(`top bar shows "${userName}" but /api/v1/me says "${me.user.name}"`);
    }
    const tenant = (await page.getByTestId('tenant-name').innerText()).trim();
    if (!tenant) throw new Error('the top bar shows no workspace name');
    await page.getByText('No conversations yet').waitFor();
    await page.getByRole('complementary', { name: 'Customer context' }).waitFor();
    console.log(`    signed in as "${userName}" in "${tenant}"`);
  });

  if (!opts['no-realtime']) {
    await step('realtime connection comes up', async () => {
      await page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor({ timeout });
    });
  }

  await step('change presence to Busy', async () => {
    const select = page.getByLabel('Presence');
    const before = await select.inputValue();
    const target = before === 'busy' ? 'away' : 'busy';
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/me/presence') && r.request().method() === 'PUT',
      { timeout },
    );
    await select.selectOption(target);
    const res = await saved;
    if (!res.ok()) throw new Error(`PUT /api/v1/me/presence answered ${res.status()}`);
    const body = await res.json();
    if (body.presence !== target) throw new Error(`server stored presence "${body.presence}", want "${target}"`);
    const shown = await select.inputValue();
    if (shown !== target) throw new Error(`selector shows "${shown}" after the change, want "${target}"`);
    await screenshot('desktop');
  });

  await step('open Admin → Webhooks', async () => {
    await page.getByTestId('nav-admin').click();
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    await expectPath('/admin/webhooks');
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    // The event type checkboxes come from the server.
    await page.getByRole('checkbox', { name: 'webhook.ping' }).waitFor();
  });

  const hookURL = opts['hook-url'];
  const description = `e2e ${new Date().toISOString()}`;
  let hookID = '';
  await step(`register a webhook to ${hookURL} for webhook.ping`, async () => {
    await page.getByLabel('Endpoint URL').fill(hookURL);
    await page.getByLabel('Description').fill(description);
    await page.getByRole('checkbox', { name: 'webhook.ping' }).check();
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/webhooks') && r.request().method() === 'POST',
      { timeout },
    );
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const res = await created;
    const idem = res.request().headers()['idempotency-key'];
    if (!idem) throw new Error('POST /api/v1/webhooks was sent without an Idempotency-Key header');
    if (res.status() !== 201) {
      const problem = await res.json().catch(() => ({}));
      throw new Error(`POST /api/v1/webhooks answered ${res.status()}: ${problem.detail ?? ''}`);
    }
    hookID = (await res.json()).id;
  });

  await step('the signing secret is shown once', async () => {
    const secret = page.getByTestId('webhook-secret');
    await secret.waitFor();
    const value = await secret.inputValue();
    if (!value.startsWith('whsec_')) throw new Error(`secret box shows "${value}", want a whsec_… value`);
    await page.getByText('It will not be shown again').waitFor();
  });

  await step('the new webhook is in the list', async () => {
    const row = page.locator(`[data-testid="webhook-row"][data-id="${hookID}"]`);
    await row.waitFor();
    const text = await row.innerText();
    if (!text.includes(hookURL)) throw new Error(`webhook row does not show ${hookURL}: ${text}`);
    if (!text.includes('webhook.ping')) throw new Error(`webhook row does not show webhook.ping: ${text}`);
    await screenshot('webhooks');
  });

  await step('dismissing the secret hides it for good', async () => {
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByTestId('webhook-secret').waitFor({ state: 'detached' });
  });

  await step('open the webhook and send a ping', async () => {
    await page.locator(`[data-testid="webhook-row"][data-id="${hookID}"]`).getByRole('link', { name: /Deliveries/ }).click();
    await expectPath(`/admin/webhooks/${hookID}`);
    const pinged = page.waitForResponse(
      (r) => r.url().endsWith(`/api/v1/webhooks/${hookID}/ping`) && r.request().method() === 'POST',
      { timeout },
    );
    await page.getByRole('button', { name: 'Send ping' }).click();
    const res = await pinged;
    if (res.status() !== 202) throw new Error(`POST …/ping answered ${res.status()}`);
  });

  await step('a delivery row appears', async () => {
    const row = page.getByTestId('delivery-row').first();
    await row.waitFor();
    const text = await row.innerText();
    if (!text.includes('webhook.ping')) throw new Error(`delivery row does not show webhook.ping: ${text}`);
    console.log(`    delivery status: ${await row.getAttribute('data-status')}`);
    await row.getByRole('button', { name: 'Details' }).click();
    await page.getByTestId('delivery-detail').waitFor();
    await screenshot('webhook-deliveries');
  });

  await step('open Admin → API keys and create a key', async () => {
    await page.getByTestId('nav-admin').click();
    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await expectPath('/admin/api-keys');
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill(`e2e key ${Date.now()}`);
    await page.getByRole('checkbox', { name: /^events:write/ }).check();
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/api-keys') && r.request().method() === 'POST',
      { timeout },
    );
    await page.getByRole('button', { name: 'Create key' }).click();
    const res = await created;
    if (res.status() !== 201) {
      const problem = await res.json().catch(() => ({}));
      throw new Error(`POST /api/v1/api-keys answered ${res.status()}: ${problem.detail ?? ''}`);
    }
    const id = (await res.json()).id;
    const secret = page.getByTestId('api-key-secret');
    await secret.waitFor();
    const value = await secret.inputValue();
    if (!value.startsWith('sbk_')) throw new Error(`key box shows "${value}", want an sbk_… value`);
    await page.locator(`[data-testid="api-key-row"][data-id="${id}"]`).waitFor();
    await screenshot('api-keys');
  });

  await step('sign out and land on the sign-in page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectPath('/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/me', { credentials: 'same-origin' })).status);
    if (status !== 401) throw new Error(`after sign-out GET /api/v1/me answered ${status}, want 401`);
  });

  await step('a signed-out visit to /desktop goes back to sign-in', async () => {
    await page.goto(`${base}/desktop`, { waitUntil: 'domcontentloaded', timeout });
    await expectPath('/login');
  });

  if (serverErrors.length) throw new Error(`server errors seen:\n  ${serverErrors.join('\n  ')}`);
}

try {
  await main();
  if (consoleErrors.length) {
    // Failed fetches (the expected 401 before sign-in) log console errors; report, do not fail.
    console.log(`note: browser console errors:\n  ${consoleErrors.join('\n  ')}`);
  }
  console.log(`[${elapsed()}] PASS login-webhook`);
  await browser?.close();
  process.exit(0);
} catch (err) {
  console.error(`[${elapsed()}] FAIL at step "${current}": ${err?.message ?? err}`);
  if (page) {
    console.error(`    page was at ${page.url()}`);
    await screenshot('failure').catch(() => {});
  }
  if (consoleErrors.length) console.error(`    browser console errors:\n      ${consoleErrors.join('\n      ')}`);
  if (serverErrors.length) console.error(`    server errors:\n      ${serverErrors.join('\n      ')}`);
  await browser?.close().catch(() => {});
  process.exit(1);
}
