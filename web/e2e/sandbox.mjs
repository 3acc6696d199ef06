#!/usr/bin/env node
// Drives a new workspace from the sandbox to live, as its admin does: Admin →
// Sandbox says nothing leaves; the checklist shows what passes and what does
// not (no agent yet), and "Go live" is refused naming it; a simulated
// customer's email comes in, the admin's reply is kept in the sandbox outbox
// and read there, rendered; with an agent added the checklist passes, the
// admin goes live, and the next reply is sent (the Go test reads it at the
// SMTP relay, and finds the sandbox reply never reached it).
//
//   node web/e2e/sandbox.mjs --base URL --tenant SLUG --email ADDRESS --password PASSWORD \
//     --domain DOMAIN [--timeout 20000] [--headed]
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    domain: { type: 'string' },
    timeout: { type: 'string', default: '20000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
for (const need of ['base', 'tenant', 'email', 'password', 'domain']) {
  if (!opts[need]) {
    console.error(`sandbox: --${need} is required`);
    process.exit(2);
  }
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();

const browser = await launch(opts.headed);
try {
  const { ctx, page: admin } = await signedIn(browser, { base, tenant: opts.tenant, email: opts.email, password: opts.password, timeout });
  watcher.watch(admin, 'admin');
  admin.on('dialog', (d) => void d.accept());

  /** item returns the checklist item with key. */
  const item = (key) => admin.getByTestId('sandbox-item').and(admin.locator(`[data-key="${key}"]`));

  await steps.run('Admin → Sandbox says the workspace is in the sandbox', async () => {
    await admin.goto(`${base}/admin/sandbox`);
    await admin.getByTestId('sandbox-page').waitFor();
    await admin.locator('[data-testid="sandbox-state"][data-sandbox="true"]').waitFor();
    const found = await axe(admin);
    if (found.length) throw new Error(`accessibility:\n  ${found.join('\n  ')}`);
  });

  await steps.run('the checklist shows what passes and what does not', async () => {
    for (const [key, ok] of [['channels', 'true'], [`mail_domain:${opts.domain}`, 'true'], ['queue', 'true'], ['agent', 'false']]) {
      await item(key).and(admin.locator(`[data-ok="${ok}"]`)).waitFor();
    }
  });

  await steps.run('going live is refused, naming the agent', async () => {
    const [res] = await Promise.all([
      admin.waitForResponse((r) => r.url().endsWith('/api/v1/sandbox/go-live')),
      admin.getByTestId('sandbox-go-live').click(),
    ]);
    if (res.status() !== 422) throw new Error(`go-live answered ${res.status()}, want 422`);
    await admin.getByRole('alert').filter({ hasText: 'agent' }).waitFor();
    await admin.locator('[data-testid="sandbox-state"][data-sandbox="true"]').waitFor();
  });

  let conversation = '';
  await steps.run('a simulated customer’s email comes in', async () => {
    const form = admin.getByTestId('sandbox-simulate');
    await form.getByTestId('sim-channel').selectOption('email');
    await form.getByTestId('sim-from').fill('kim@example.com');
    await form.getByTestId('sim-name').fill('Kim Customer');
    await form.getByTestId('sim-subject').fill('My card is blocked');
    await form.getByTestId('sim-body').fill('Hello, my card was refused at the till.');
    await form.getByTestId('sim-send').click();
    const href = await admin.getByTestId('sim-done').getByRole('link').getAttribute('href');
    conversation = decodeURIComponent(href.split('/').pop());
    const msgs = await api(ctx.request, base, 'GET', `/api/v1/conversations/${conversation}/messages`, undefined, 200);
    if (msgs.items.length !== 1 || msgs.items[0].meta?.simulated !== true) throw new Error(`the conversation holds ${JSON.stringify(msgs.items)}`);
  });

  await steps.run('the reply is kept in the sandbox outbox, readable as the customer would get it', async () => {
    await api(ctx.request, base, 'POST', `/api/v1/conversations/${conversation}/messages`,
      { body: 'We unblocked your card (sandbox).', body_html: '<p>We unblocked <b>your card</b> (sandbox).</p>' }, 201);
    const row = admin.getByTestId('sandbox-row').and(admin.locator('[data-kind="email"]')).filter({ hasText: 'kim@example.com' });
    const end = Date.now() + timeout;
    while (!(await row.count())) {
      if (Date.now() > end) throw new Error('the reply never showed in the sandbox outbox');
      await admin.getByRole('button', { name: 'Refresh' }).click();
      await admin.waitForTimeout(300);
    }
    await row.getByTestId('sandbox-open').click();
    const detail = admin.getByTestId('sandbox-detail');
    await detail.getByTestId('sandbox-body').filter({ hasText: 'We unblocked your card (sandbox).' }).waitFor();
    const frame = admin.frameLocator('[data-testid="sandbox-html"]');
    await frame.locator('b').filter({ hasText: 'your card' }).waitFor();
  });

  await steps.run('with an agent the checklist passes and the admin goes live', async () => {
    await api(ctx.request, base, 'POST', '/api/v1/users',
      { email: `agent@${opts.domain}`, name: 'Ana Agent', role: 'agent', password: 'a-long-agent-password' }, 201);
    await admin.reload();
    await item('agent').and(admin.locator('[data-ok="true"]')).waitFor();
    await admin.getByTestId('sandbox-go-live').click();
    await admin.locator('[data-testid="sandbox-state"][data-sandbox="false"]').waitFor();
    await admin.getByTestId('sandbox-copy').waitFor(); // a live workspace may open sandbox copies
  });

  await steps.run('live, the next reply is sent', async () => {
    await api(ctx.request, base, 'POST', `/api/v1/conversations/${conversation}/messages`, { body: 'Live now: your new card is on its way.' }, 201);
  });

  const thrown = watcher.consoleErrors.filter((l) => l.includes('page error:'));
  if (thrown.length) throw new Error(`uncaught errors in the page:\n  ${thrown.join('\n  ')}`);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  console.log(`PASS sandbox (${steps.elapsed()})`);
} catch (err) {
  console.error(`FAIL sandbox at "${steps.current}": ${err.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
