#!/usr/bin/env node
// Drives Admin → WhatsApp templates as an admin does after submitting a
// template in WhatsApp Manager: records it (a gap in its variables is refused
// with the field named), marks it approved once Meta has, and deletes another.
// Then, in the WhatsApp conversation --conversation, the agent sends the
// template from the composer with its two values, and sees it on the timeline.
//
//   node web/e2e/whatsapp.mjs --base URL --conversation ID [--tenant northwind] [--password switchboard-demo] [--timeout 20000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step.
import { parseArgs } from 'node:util';
import { axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    conversation: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '20000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base || !opts.conversation) {
  console.error('whatsapp: --base and --conversation are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();

const browser = await launch(opts.headed);
try {
  const { page } = await signedIn(browser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
  watcher.watch(page, 'admin');

  await steps.run('open Admin → WhatsApp templates', async () => {
    await page.goto(`${base}/admin/whatsapp-templates`);
    await page.getByTestId('wa-page').waitFor();
    const violations = await axe(page);
    if (violations.length) throw new Error(`accessibility:\n  ${violations.join('\n  ')}`);
  });

  const fill = async (name, body) => {
    await page.getByTestId('wa-new').click();
    const form = page.getByTestId('wa-form');
    await form.getByTestId('wa-name').fill(name);
    await form.getByTestId('wa-language').fill('en_US');
    await form.getByTestId('wa-body').fill(body);
    return form;
  };

  await steps.run('a body with a gap in its variables is refused on the body', async () => {
    const form = await fill('order_ready', 'Hello {{1}}, order {{3}} is ready.');
    await form.getByTestId('wa-save').click();
    await form.locator('#wa-body-hint.field-error').filter({ hasText: '{{2}} is missing' }).waitFor();
  });

  await steps.run('record the template, pending review', async () => {
    const form = page.getByTestId('wa-form');
    await form.getByTestId('wa-body').fill('Hello {{1}}, your order {{2}} is ready for pickup.');
    await form.getByTestId('wa-save').click();
    const row = page.locator('[data-testid=wa-row][data-name=order_ready]');
    await row.getByTestId('wa-row-status').filter({ hasText: 'Pending review' }).waitFor();
    await row.filter({ hasText: '2 variables' }).waitFor();
  });

  await steps.run('mark it approved', async () => {
    const row = page.locator('[data-testid=wa-row][data-name=order_ready]');
    await row.getByTestId('wa-edit').click();
    const form = page.getByTestId('wa-form');
    await form.getByTestId('wa-status').selectOption('approved');
    await form.getByTestId('wa-save').click();
    await row.getByTestId('wa-row-status').filter({ hasText: 'Approved' }).waitFor();
  });

  await steps.run('delete another template', async () => {
    const form = await fill('old_promo', 'Our sale ends today.');
    await form.getByTestId('wa-category').selectOption('marketing');
    await form.getByTestId('wa-save').click();
    const row = page.locator('[data-testid=wa-row][data-name=old_promo]');
    await row.waitFor();
    await row.getByTestId('wa-delete').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await page.locator('[data-testid=wa-row][data-name=order_ready]').waitFor();
  });

  await steps.run('send the template from the composer', async () => {
    await page.goto(`${base}/desktop/c/${opts.conversation}`, { waitUntil: 'domcontentloaded' });
    const composer = page.getByTestId('composer');
    await composer.getByTestId('composer-channel').selectOption('whatsapp');
    await composer.getByTestId('composer-templates').click();
    await composer.getByTestId('template-option').filter({ hasText: 'order_ready' }).click();
    const vars = composer.getByTestId('template-var');
    await vars.nth(0).fill('Sheena');
    await vars.nth(1).fill('A-1001');
    await composer.getByTestId('template-send').click();
    await page.getByText('Hello Sheena, your order A-1001 is ready for pickup.').first().waitFor();
  });

  const thrown = watcher.consoleErrors.filter((l) => l.includes('page error:'));
  if (thrown.length) throw new Error(`uncaught errors in the page:\n  ${thrown.join('\n  ')}`);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  console.log(`PASS whatsapp (${steps.elapsed()})`);
} catch (err) {
  console.error(`FAIL whatsapp at "${steps.current}": ${err.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
