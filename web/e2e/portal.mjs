#!/usr/bin/env node
// Drives the consumer portal on a phone-sized screen (360 px) the way a
// customer goes, against a running center whose mail reaches a mailbox this
// script can read (GET {mailbox}/mail?to=address → [{to, subject, text}]):
//
//   the customer asks for a code → reads it from the mail → signs in (the code
//   field says autocomplete=one-time-code) → sees the business → its
//   preferences: sets "do not disturb today" and clears it, moves a channel
//   up, switches the notice type off (still off after a reload) → reads the
//   notice (full content; it turns read) → replies about it from Contact us;
//   an agent answers through the API and the answer appears in the thread →
//   enables browser notifications (the service worker registers; a push
//   delivered to it shows a notification) → signs out. In fresh contexts the
//   notice's preference link opens the business's preferences without signing
//   in, its read link opens the notice, and another customer signs in with the
//   magic link mailed with her code (which works once).
//
// axe-core runs on every page; any violation of impact serious or critical
// fails the run, listed. Screenshots portal-*.png go to --screenshots.
//
//   node web/e2e/portal.mjs --base http://127.0.0.1:18080 --mailbox http://127.0.0.1:18081 \
//     --email zoe.mueller@example.com --business "Northwind Bank" --type account.summary \
//     --subject "Your November summary is ready" [--read-link URL] [--prefs-link URL] [--magic-email ADDRESS] \
//     [--tenant northwind] [--password switchboard-demo] [--screenshots DIR] [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// never downloads browsers. It exits non-zero with a message naming the failed step.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { api, axe, launch, noCSPViolations, notFramable, request, securityHeaders, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    mailbox: { type: 'string' },
    email: { type: 'string' },
    business: { type: 'string' },
    type: { type: 'string' },
    subject: { type: 'string' },
    'read-link': { type: 'string', default: '' },
    'prefs-link': { type: 'string', default: '' },
    'magic-email': { type: 'string', default: '' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    screenshots: { type: 'string', default: '' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
for (const need of ['base', 'mailbox', 'email', 'business', 'type', 'subject']) {
  if (!opts[need]) {
    console.error(`portal: --${need} is required`);
    console.error('usage: node portal.mjs --base URL --mailbox URL --email ADDRESS --business NAME --type KEY --subject TEXT [--read-link URL] [--prefs-link URL] [--magic-email ADDRESS] [--screenshots DIR]');
    process.exit(2);
  }
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const shotsDir = opts.screenshots ? resolve(opts.screenshots) : '';
if (shotsDir) mkdirSync(shotsDir, { recursive: true });

const steps = new Steps(timeout);
const watcher = new Watcher();
const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US' };

/** screenshot writes portal-name.png (the whole page) to the screenshots dir. */
async function screenshot(p, name) {
  if (!shotsDir) return;
  const file = join(shotsDir, `portal-${name}.png`);
  await p.screenshot({ path: file, fullPage: true });
  console.log(`    screenshot ${file}`);
}

/**
 * accessible fails with axe-core's serious and critical findings on the page,
 * and if the page scrolls sideways on the phone (WCAG 1.4.10, reflow).
 */
async function accessible(p, where) {
  const found = await axe(p);
  if (found.length) throw new Error(`axe-core on ${where}:\n  ${found.join('\n  ')}`);
  const [content, screen] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  if (content > screen) throw new Error(`${where} is ${content} px wide on a ${screen} px screen`);
}

/** mails returns the mails to an address (the customer's) so far. */
async function mails(to = opts.email) {
  const res = await fetch(`${opts.mailbox}/mail?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`mailbox answered ${res.status}`);
  return res.json();
}

/** until polls fn until it returns something truthy. */
async function until(what, fn, ms = timeout) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** freshPhone opens a new phone-sized context with no session. */
async function freshPhone(browser, extra = {}) {
  const ctx = await browser.newContext({ ...phone, colorScheme: 'light', ...extra });
  ctx.setDefaultTimeout(timeout);
  const page = watcher.watch(await ctx.newPage(), 'customer');
  return { ctx, page };
}

const browser = await launch(opts.headed);
try {
  const { ctx, page: p } = await freshPhone(browser);
  /** savedPreferences resolves with the server's answer to the next preferences PUT. */
  const savedPreferences = async () => {
    const res = await p.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/preferences'));
    if (res.status() !== 200) throw new Error(`saving preferences answered ${res.status()}: ${await res.text()}`);
    return res.json();
  };
  const switchOf = (testid) => p.getByTestId(testid);

  await steps.run('the portal asks who you are', async () => {
    const res = await p.goto(`${base}/portal`);
    securityHeaders(res, 'the portal page');
    await p.waitForURL(/\/portal\/login$/);
    await p.getByTestId('signin-form').waitFor();
    // The agents' app is not loaded: only the portal's own script.
    const scripts = await p.evaluate(() => [...document.scripts].map((s) => s.src).filter(Boolean));
    if (scripts.length !== 1 || !/\/assets\/portal-/.test(scripts[0])) throw new Error(`portal page loads ${scripts.join(', ')}`);
    await accessible(p, 'sign-in');
    await screenshot(p, 'signin');
  });

  const code = await steps.run('a code arrives by mail', async () => {
    const before = (await mails()).length;
    await p.getByLabel('Email or phone number').fill(opts.email);
    await p.getByRole('button', { name: 'Send me a code' }).click();
    await p.getByTestId('code-sent').waitFor();
    const mail = await until('the sign-in mail', async () => (await mails()).slice(before).find((m) => /sign-in code/i.test(m.subject)));
    const m = /\b(\d{6})\b/.exec(mail.subject + ' ' + mail.text);
    if (!m) throw new Error(`no code in the mail: ${mail.subject}\n${mail.text}`);
    if (!mail.text.includes('/portal/login#token=')) throw new Error('the mail has no magic link');
    return m[1];
  });

  await steps.run('the code signs in', async () => {
    const input = p.getByLabel('6-digit code');
    if ((await input.getAttribute('autocomplete')) !== 'one-time-code') throw new Error('the code field is not autocomplete=one-time-code');
    await accessible(p, 'code entry');
    await screenshot(p, 'code');
    await input.fill('000000' === code ? '111111' : '000000');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('alert').filter({ hasText: 'did not work' }).waitFor();
    await input.fill(code);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/\/portal$/);
  });

  await steps.run('the business is listed', async () => {
    const item = p.getByTestId('business').filter({ hasText: opts.business });
    await item.waitFor();
    await item.filter({ hasText: / unread$/ }).waitFor();
    const all = await p.getByTestId('business').count();
    steps.log(`    ${all} businesses know ${opts.email}`);
    await accessible(p, 'businesses');
    await screenshot(p, 'businesses');
    await item.click();
    await p.getByTestId('preferences').waitFor();
  });

  const typeSwitch = switchOf(`type-${opts.type}`);
  await steps.run('a momentary state is set and cleared', async () => {
    await p.getByRole('button', { name: 'Do not disturb today' }).click();
    await p.getByTestId('momentary-active').filter({ hasText: 'Do not disturb until' }).waitFor();
    await p.getByTestId('momentary-clear').click();
    await p.getByTestId('momentary-active').waitFor({ state: 'detached' });
  });

  await steps.run('a channel moves up', async () => {
    const order = () => p.getByTestId('channel-order').locator('li').evaluateAll((lis) => lis.map((li) => li.dataset.channel));
    const before = await order();
    if (before.length < 2) throw new Error(`channels to order: ${before}`);
    const second = before[1];
    await p.getByRole('button', { name: new RegExp(`^Move .* up$`) }).nth(0).isDisabled().then((d) => {
      if (!d) throw new Error('the first channel can be moved up');
    });
    const saved = savedPreferences();
    await p.locator(`[data-move="${second} up"]`).click();
    const order0 = (await saved).own.order?.[0];
    if (order0 !== second) throw new Error(`the saved order starts with ${order0}, not ${second}`);
    await until('the new order', async () => (await order())[0] === second);
    const focused = await p.evaluate(() => document.activeElement?.getAttribute('data-move'));
    if (!focused?.startsWith(`${second} `)) throw new Error(`focus went to ${focused} after the move, not ${second}'s buttons`);
  });

  await steps.run('quiet hours, time zone and where to read are saved', async () => {
    await p.getByTestId('quiet-on').check();
    await p.getByTestId('quiet-from').fill('22:30');
    await p.getByTestId('quiet-to').fill('07:00');
    await p.getByRole('checkbox', { name: 'Fri' }).check();
    await p.getByTestId('time-zone').selectOption('Europe/Lisbon');
    let saved = savedPreferences();
    await p.getByTestId('quiet-save').click();
    const own = (await saved).own;
    const q = JSON.stringify(own.quiet_hours);
    if (q !== '{"from":"22:30","to":"07:00","days":["fri"]}' || own.time_zone !== 'Europe/Lisbon') throw new Error(`saved quiet hours ${q} in ${own.time_zone}`);
    saved = savedPreferences();
    await p.getByTestId('retrieval').selectOption('web');
    if ((await saved).own.retrieval !== 'web') throw new Error('where to read was not saved');
  });

  await steps.run('the notice type is switched off', async () => {
    if (!(await typeSwitch.isChecked())) throw new Error(`${opts.type} starts off`);
    await accessible(p, 'preferences');
    await screenshot(p, 'preferences');
    const saved = savedPreferences();
    await typeSwitch.uncheck();
    if ((await saved).own.types?.[opts.type]?.enabled !== false) throw new Error(`${opts.type} was not saved off`);
    await p.reload();
    await p.getByTestId('preferences').waitFor();
    if (await typeSwitch.isChecked()) throw new Error(`${opts.type} is on again after a reload`);
    if ((await p.getByTestId('quiet-from').inputValue()) !== '22:30') throw new Error('quiet hours are gone after a reload');
  });

  const noticeURL = await steps.run('the notice is read', async () => {
    await p.getByTestId('tab-notices').click();
    const unread = Number((await p.getByTestId('tab-notices').locator('.badge').textContent()).replace(/\D/g, ''));
    const item = p.getByTestId('notice').filter({ hasText: opts.subject });
    await item.waitFor();
    await accessible(p, 'notices');
    await item.click();
    await p.getByTestId('notice-body').filter({ hasText: 'is ready' }).waitFor();
    const body = p.getByTestId('notice-body');
    if ((await body.textContent()).includes('http') && !(await body.getByRole('link').count())) throw new Error('the links in the notice are not links');
    await p.getByTestId('notice-status').filter({ hasText: 'Read' }).waitFor();
    // One notice fewer to read, in the tab's badge.
    const badge = p.getByTestId('tab-notices').locator('.badge');
    if (unread === 1) await badge.waitFor({ state: 'detached' });
    else await badge.filter({ hasText: new RegExp(`^${unread - 1}\\D`) }).waitFor();
    await accessible(p, 'a notice');
    await screenshot(p, 'notice');
    return p.url();
  });

  await steps.run('a reply about the notice gets an answer', async () => {
    await p.getByTestId('notice-reply').click();
    await p.getByTestId('contact-about').filter({ hasText: opts.subject }).waitFor();
    await p.getByLabel('Your message').fill('Why is there a fee on my statement?');
    const [res] = await Promise.all([
      p.waitForResponse((r) => r.url().endsWith('/contact') && r.request().method() === 'POST'),
      p.getByTestId('contact-send').click(),
    ]);
    if (res.status() !== 201) throw new Error(`contact answered ${res.status()}: ${await res.text()}`);
    const { conversation_id: conv } = await res.json();
    await p.getByTestId('msg-me').filter({ hasText: 'fee on my statement' }).waitFor();

    const agent = await request.newContext();
    try {
      await api(agent, base, 'POST', '/api/v1/auth/login', { tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password }, 200);
      await api(agent, base, 'POST', `/api/v1/conversations/${conv}/messages`, { body: 'That is the yearly card fee; we can waive it.' }, 201);
    } finally {
      await agent.dispose();
    }
    await p.getByTestId('msg-them').filter({ hasText: 'yearly card fee' }).waitFor({ timeout: timeout * 2 });
    await accessible(p, 'contact us');
    await screenshot(p, 'contact');
  });

  await steps.run('browser notifications: the service worker shows a push', async () => {
    await ctx.grantPermissions(['notifications'], { origin: base });
    await p.getByTestId('tab-preferences').click();
    await p.getByTestId('preferences').waitFor();
    const { public_key: key } = await api(p.request, base, 'GET', '/portal/api/vapid-key', undefined, 200);
    if (key) {
      await p.getByTestId('push-enable').click();
      // Headless Chromium may have no push service to subscribe with; either
      // way the page says what happened and the worker is in place.
      const outcome = await Promise.race([
        p.getByTestId('push-on').waitFor().then(() => 'subscribed'),
        p.getByTestId('push-error').waitFor().then(async () => `not subscribed: ${await p.getByTestId('push-error').textContent()}`),
      ]);
      steps.log(`    push: ${outcome}`);
      if (/applicationServerKey/i.test(outcome)) throw new Error(`the center's VAPID key was refused: ${outcome}`);
    } else {
      // A center without Web Push offers none.
      if (await p.getByTestId('push').count()) throw new Error('browser notifications are offered without a VAPID key');
      await p.evaluate(() => navigator.serviceWorker.register('/portal-sw.js', { scope: '/portal' }));
      steps.log('    push: this center has no VAPID key; the section is hidden');
    }
    const scope = await until('the service worker', () =>
      p.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration('/portal');
        return reg?.active ? reg.scope : '';
      }),
    );
    if (!scope.endsWith('/portal')) throw new Error(`service worker scope ${scope}`);

    const cdp = await ctx.newCDPSession(p);
    const registered = new Promise((ok) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
        const r = e.registrations.find((x) => x.scopeURL.endsWith('/portal') && !x.isDeleted);
        if (r) ok(r.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registered;
    // A push delivered over CDP while the worker is still starting can be
    // dropped without a word; the notice's id is its tag, so delivering it
    // again until it shows cannot show it twice.
    const push = async (payload, shownFn) => {
      for (let i = 0; ; i++) {
        await cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId, data: JSON.stringify(payload) });
        try {
          return await until(`the notification ${payload.id}`, shownFn, 2000);
        } catch (e) {
          if (i >= Math.ceil(timeout / 2000)) throw e;
        }
      }
    };
    const payload = { title: 'Card payment declined', body: '€42.00 at Bakery', url: '/portal', id: 'e2e-push-1' };
    const shown = await push(payload, () =>
      p.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration('/portal');
        const ns = (await reg?.getNotifications()) ?? [];
        return ns.map((n) => `${n.title}|${n.body}|${n.tag}|${n.data?.url}`).find((s) => s.startsWith('Card payment declined'));
      }),
    );
    if (shown !== `Card payment declined|€42.00 at Bakery|e2e-push-1|${base}/portal`) throw new Error(`notification shown: ${shown}`);
    // A click never leaves the site: a link elsewhere opens the portal instead.
    const elsewhere = { title: 'Elsewhere', body: 'x', url: 'https://elsewhere.example/login', id: 'e2e-push-2' };
    const url = await push(elsewhere, () =>
      p.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration('/portal');
        return ((await reg?.getNotifications({ tag: 'e2e-push-2' })) ?? [])[0]?.data?.url;
      }),
    );
    if (url !== `${base}/portal`) throw new Error(`a notification would open ${url}`);
  });

  await steps.run('dark mode at 360 px', async () => {
    await p.emulateMedia({ colorScheme: 'dark' });
    await p.goto(noticeURL.replace(/\/notices\/.*$/, ''));
    await p.getByTestId('preferences').waitFor();
    await accessible(p, 'preferences (dark)');
    await screenshot(p, 'preferences-dark');
    await p.emulateMedia({ colorScheme: 'light' });
  });

  await steps.run('sign out', async () => {
    await p.getByTestId('sign-out').click();
    await p.waitForURL(/\/portal\/login$/);
    await p.getByTestId('signin-form').waitFor();
    const me = await p.request.get(`${base}/portal/api/me`);
    if (me.status() !== 401) throw new Error(`after signing out /portal/api/me answers ${me.status()}`);
  });
  await ctx.close();

  if (opts['prefs-link']) {
    await steps.run('the preference link opens the business without signing in', async () => {
      const { ctx: c, page } = await freshPhone(browser);
      await page.goto(opts['prefs-link']);
      await page.getByTestId('preferences').waitFor();
      await page.getByTestId('limited').waitFor();
      await page.getByRole('heading', { level: 1, name: opts.business }).waitFor();
      if (await page.getByTestId(`type-${opts.type}`).isChecked()) throw new Error(`${opts.type} shows on through the link`);
      await accessible(page, 'preferences by link');
      await screenshot(page, 'link');
      await c.close();
    });
  }

  if (opts['read-link']) {
    await steps.run('the read link opens the notice', async () => {
      const { ctx: c, page } = await freshPhone(browser);
      await page.goto(opts['read-link']);
      await page.waitForURL(/\/portal\/b\/[^/]+\/notices\/[^/]+$/);
      await page.getByTestId('notice-body').filter({ hasText: 'is ready' }).waitFor();
      await c.close();
    });
  }

  if (opts['magic-email']) {
    await steps.run('the magic link signs in, once', async () => {
      const { ctx: c, page } = await freshPhone(browser);
      await page.goto(`${base}/portal/login`);
      const before = (await mails(opts['magic-email'])).length;
      await page.getByLabel('Email or phone number').fill(opts['magic-email']);
      await page.getByRole('button', { name: 'Send me a code' }).click();
      await page.getByTestId('code-sent').waitFor();
      const mail = await until('the sign-in mail', async () => (await mails(opts['magic-email'])).slice(before).find((m) => /sign-in code/i.test(m.subject)));
      const link = /https?:\/\/\S+\/portal\/login#token=\S+/.exec(mail.text)?.[0];
      if (!link) throw new Error(`no magic link in the mail:\n${mail.text}`);
      // Opened from the mail: a new tab.
      const tab = watcher.watch(await c.newPage(), 'customer');
      await tab.goto(link);
      await tab.waitForURL(/\/portal$/);
      await tab.getByTestId('business').filter({ hasText: opts.business }).waitFor();
      await accessible(tab, 'businesses (magic link)');
      // Spent: the same link now asks for a code, and says why.
      await tab.getByTestId('sign-out').click();
      await tab.getByTestId('signin-form').waitFor();
      const again = watcher.watch(await c.newPage(), 'customer');
      await again.goto(link);
      await again.getByText('This link has expired or was already used').waitFor();
      if (new URL(again.url()).hash) throw new Error('the spent token stays in the address');
      await c.close();
    });
  }

  // Uncaught exceptions fail the run; 4xx answers are expected on the way
  // (the wrong code, /me before signing in) and are only listed.
  await steps.run('the portal\'s service worker and a notice link carry their policies; another origin cannot frame the portal', async () => {
    const http = await request.newContext(); // the customer's context is closed by now
    securityHeaders(await http.get(`${base}/portal-sw.js`), 'the portal service worker');
    const link = await http.get(`${base}/u/not-a-valid-token`);
    securityHeaders(link, 'a notice\'s unsubscribe page');
    if (link.headers()['referrer-policy'] !== 'no-referrer') throw new Error(`the unsubscribe page's Referrer-Policy is ${link.headers()['referrer-policy']}`);
    await http.dispose();
    await notFramable(browser, `${base}/portal/login`, timeout);
  });

  noCSPViolations(watcher);
  const thrown = watcher.consoleErrors.filter((l) => l.includes('page error:'));
  if (thrown.length) throw new Error(`uncaught errors in the page:\n  ${thrown.join('\n  ')}`);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  if (watcher.consoleErrors.length) console.log(`note: browser console errors:\n  ${watcher.consoleErrors.join('\n  ')}`);
  console.log(`PASS portal (${steps.elapsed()})`);
} catch (err) {
  console.error(`FAIL portal at "${steps.current}": ${err.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
