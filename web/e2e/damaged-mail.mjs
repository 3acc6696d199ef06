#!/usr/bin/env node
// Opens, as the demo's admin, the conversation a damaged mail started and
// checks the desktop marks it: the damage in words beside the message, and a
// "Download original" link whose download is the mail byte for byte.
//
//   node web/e2e/damaged-mail.mjs --base URL --conversation ID --message ID --original FILE \
//     [--tenant northwind] [--email admin@northwind.example] [--password P] [--timeout 15000]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launch, signedIn, Steps } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    conversation: { type: 'string' },
    message: { type: 'string' },
    original: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    email: { type: 'string', default: 'admin@northwind.example' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '15000' },
  },
  strict: true,
});
if (!opts.base || !opts.conversation || !opts.message || !opts.original) {
  console.error('damaged-mail: --base, --conversation, --message and --original are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const want = readFileSync(opts.original);
const steps = new Steps(timeout);
const browser = await launch();
let failed = false;
try {
  const { page } = await signedIn(browser, { base, tenant: opts.tenant, email: opts.email, password: opts.password, timeout });
  await steps.run('the conversation shows the message with its damage marked', async () => {
    await page.goto(`${base}/desktop/c/${opts.conversation}`, { waitUntil: 'domcontentloaded' });
    const item = page.locator(`[data-testid="timeline-item"][data-id="${opts.message}"]`);
    const marker = item.locator('[data-testid="message-damaged"]');
    await marker.waitFor();
    const text = await marker.innerText();
    if (!text.includes('attachment report.pdf truncated')) throw new Error(`the marker says ${JSON.stringify(text)}`);
  });
  await steps.run('Download original downloads the mail byte for byte', async () => {
    const link = page.locator(`[data-testid="timeline-item"][data-id="${opts.message}"] [data-testid="message-original"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await download.path();
    const got = readFileSync(path);
    if (!got.equals(want)) throw new Error(`downloaded ${got.length} bytes that differ from the ${want.length} sent`);
    if (!download.suggestedFilename().endsWith('.eml')) throw new Error(`file name ${download.suggestedFilename()}`);
  });
} catch (err) {
  console.error(`FAIL damaged-mail at "${steps.current}": ${err.message}`);
  failed = true;
} finally {
  await browser.close();
}
if (failed) process.exit(1);
console.log('PASS damaged-mail');
