#!/usr/bin/env node
// Drives the demo as a newcomer does when the center has no mail relay
// (issue 11, findings 7 and 9): the admin opens Admin → Outbox, the demo's mail
// catcher, and reads an agent's email reply there, rendered; a customer asks
// the portal for a sign-in code, the admin reads the code in the outbox and
// the customer signs in with it. Then, in the portal: "Driving" saves without
// an error and says honestly what it does; a notice's preference link opens a
// limited session whose "Sign in to see all your businesses" signs in with a
// code (again read from the outbox) without signing out first; and a reply to
// a notice is shown as replied.
//
//   node web/e2e/outbox.mjs --base URL --reply TEXT --prefs-link URL --customer ADDRESS \
//     --other ADDRESS --notice-subject TEXT [--tenant northwind] [--password switchboard-demo] [--timeout 20000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step.
import { parseArgs } from 'node:util';
import { axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    reply: { type: 'string' },
    'prefs-link': { type: 'string' },
    customer: { type: 'string' },
    other: { type: 'string' },
    'notice-subject': { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '20000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
for (const need of ['base', 'reply', 'prefs-link', 'customer', 'other', 'notice-subject']) {
  if (!opts[need]) {
    console.error(`outbox: --${need} is required`);
    process.exit(2);
  }
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US' };

const browser = await launch(opts.headed);
try {
  const { page: admin } = await signedIn(browser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
  watcher.watch(admin, 'admin');

  /** openMail opens the newest mail to `to` whose subject matches, in the outbox page, and returns its detail panel. */
  const openMail = async (to, subject) => {
    const row = admin.getByTestId('outbox-row').filter({ hasText: to }).filter({ hasText: subject }).first();
    const end = Date.now() + timeout;
    while (!(await row.count())) {
      if (Date.now() > end) throw new Error(`no mail to ${to} matching ${subject} in the outbox`);
      await admin.getByTestId('outbox-refresh').click();
      await admin.waitForTimeout(300);
    }
    await row.getByTestId('outbox-open').click();
    const detail = admin.getByTestId('outbox-detail');
    await detail.getByTestId('outbox-text').waitFor();
    return detail;
  };

  /** codeFor reads the sign-in code mailed to `to` in the outbox (the newest one). */
  const codeFor = async (to, notBefore = '') => {
    await admin.goto(`${base}/admin/outbox`);
    await admin.getByTestId('outbox-page').waitFor();
    const end = Date.now() + timeout;
    for (;;) {
      const detail = await openMail(to, 'sign-in code');
      const code = (await detail.getByTestId('outbox-code').textContent()).replace(/\D/g, '');
      if (code.length === 6 && code !== notBefore) return code;
      if (Date.now() > end) throw new Error(`no new sign-in code for ${to}`);
      await admin.getByTestId('outbox-refresh').click();
    }
  };

  await steps.run('the agent’s email reply is in the outbox, rendered', async () => {
    await admin.goto(`${base}/admin/outbox`);
    await admin.getByRole('heading', { name: 'Outbox (demo mail catcher)' }).waitFor();
    await admin.getByTestId('admin-nav-outbox').waitFor(); // the admin menu leads here
    const detail = await openMail(opts.customer, 'Card declined abroad');
    await detail.getByTestId('outbox-text').filter({ hasText: opts.reply }).waitFor();
    const frame = detail.getByTestId('outbox-html');
    if (await frame.count()) {
      if ((await frame.getAttribute('sandbox')) === null) throw new Error('the mail’s HTML frame is not sandboxed');
      await admin.frameLocator('[data-testid=outbox-html]').getByText(opts.reply.slice(0, 20)).waitFor();
    }
    const found = await axe(admin);
    if (found.length) throw new Error(`axe-core on the outbox:\n  ${found.join('\n  ')}`);
  });

  const customer = await browser.newContext({ ...phone, colorScheme: 'light' });
  customer.setDefaultTimeout(timeout);
  const p = watcher.watch(await customer.newPage(), 'customer');

  await steps.run('a sign-in code read in the outbox signs the customer in', async () => {
    await p.goto(`${base}/portal/login`);
    await p.getByLabel('Email or phone number').fill(opts.other);
    await p.getByRole('button', { name: 'Send me a code' }).click();
    await p.getByTestId('code-sent').waitFor();
    const code = await codeFor(opts.other);
    await p.getByLabel('6-digit code').fill(code);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/\/portal$/);
    await p.getByTestId('business').filter({ hasText: 'Northwind Bank' }).waitFor();
  });

  await steps.run('Driving saves and says what it does', async () => {
    await p.getByTestId('business').filter({ hasText: 'Northwind Bank' }).click();
    await p.getByTestId('preferences').waitFor();
    const [res] = await Promise.all([
      p.waitForResponse((r) => r.url().endsWith('/momentary') && r.request().method() === 'PUT'),
      p.getByTestId('moment-driving').click(),
    ]);
    if (res.status() !== 200) throw new Error(`Driving answered ${res.status()}: ${await res.text()}`);
    await p.getByTestId('momentary-active').filter({ hasText: 'Driving until' }).waitFor();
    const text = await p.getByTestId('momentary-active').textContent();
    if (/voice only/i.test(text)) throw new Error(`the state promises voice: ${text}`);
    if (await p.getByRole('alert').count()) throw new Error(`an error is shown: ${await p.getByRole('alert').first().textContent()}`);
    await p.getByTestId('momentary-clear').click();
    await p.getByTestId('momentary-active').waitFor({ state: 'detached' });
  });
  await customer.close();

  const zoe = await browser.newContext({ ...phone, colorScheme: 'light' });
  zoe.setDefaultTimeout(timeout);
  const z = watcher.watch(await zoe.newPage(), 'zoe');

  await steps.run('from a notice’s link, “Sign in to see all your businesses” signs in', async () => {
    await z.goto(opts['prefs-link']);
    await z.getByTestId('limited').waitFor();
    await z.getByTestId('limited-sign-in').click();
    // Still signed in by the link meanwhile, with the address filled in.
    const me = await z.request.get(`${base}/portal/api/me`);
    if (me.status() !== 200) throw new Error(`the link's session ended when asking to sign in (me: ${me.status()})`);
    const input = z.getByLabel('Email or phone number');
    if ((await input.inputValue()) !== opts.customer) throw new Error(`the address is ${await input.inputValue()}, not ${opts.customer}`);
    await z.getByRole('button', { name: 'Send me a code' }).click();
    await z.getByTestId('code-sent').waitFor();
    const code = await codeFor(opts.customer);
    await z.getByLabel('6-digit code').fill(code);
    await z.getByRole('button', { name: 'Sign in' }).click();
    await z.waitForURL(/\/portal$/);
    await z.getByTestId('business').filter({ hasText: 'Northwind Bank' }).waitFor();
    await z.getByTestId('business').filter({ hasText: 'Riverside Clinic' }).waitFor();
    if (await z.getByTestId('limited').count()) throw new Error('still limited after signing in');
  });

  await steps.run('a reply to a notice shows it replied', async () => {
    await z.getByTestId('business').filter({ hasText: 'Northwind Bank' }).click();
    await z.getByTestId('tab-notices').click();
    await z.getByTestId('notice').filter({ hasText: opts['notice-subject'] }).click();
    await z.getByTestId('notice-body').waitFor();
    await z.getByTestId('notice-reply').click();
    await z.getByTestId('contact-about').filter({ hasText: opts['notice-subject'] }).waitFor();
    await z.getByLabel('Your message').fill('NO, that was not me.');
    const [res] = await Promise.all([
      z.waitForResponse((r) => r.url().endsWith('/contact') && r.request().method() === 'POST'),
      z.getByTestId('contact-send').click(),
    ]);
    if (res.status() !== 201) throw new Error(`contact answered ${res.status()}: ${await res.text()}`);
    await z.getByTestId('tab-notices').click();
    try {
      await z.getByTestId('notice').filter({ hasText: opts['notice-subject'] }).filter({ hasText: 'Replied' }).waitFor();
    } catch (e) {
      // A rare failure here is not understood yet (see the e2e test): say
      // what the list showed, and what it shows once loaded again.
      console.log('    notices shown:', JSON.stringify(await z.getByTestId('notice').allTextContents()));
      await z.reload();
      await z.getByTestId('notice').first().waitFor().catch(() => {});
      console.log('    after a reload:', JSON.stringify(await z.getByTestId('notice').allTextContents()));
      throw e;
    }
  });
  await zoe.close();

  const thrown = watcher.consoleErrors.filter((l) => l.includes('page error:'));
  if (thrown.length) throw new Error(`uncaught errors in the page:\n  ${thrown.join('\n  ')}`);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  console.log(`PASS outbox (${steps.elapsed()})`);
} catch (err) {
  console.error(`FAIL outbox at "${steps.current}": ${err.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
