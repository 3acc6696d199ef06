#!/usr/bin/env node
// The public help center and the self-service trail (issue 13), against a
// running demo center.
//
// The admin publishes an article for customers (its Markdown carries a
// script, which must never run). A customer opens /help/{tenant}/, types in
// the search box and picks the suggestion, reads the article, answers "No"
// with a reason, clicks "Chat with us" and writes: the chat widget opens on
// the help center's page and the message starts a conversation. Ana, an
// agent, opens it: the trail panel at the top shows the search, the article
// and the reason, and the timeline has the trail's line. The same pages
// with JavaScript disabled: titles, meta descriptions, canonical links, the
// sitemap, search by the form, "did this help?" by the form, and "Email us".
// Last, the widget on a business's own site suggests the article as a new
// visitor types and opens it inline; the message then carries that trail.
//
//   node web/e2e/helpcenter.mjs --base URL [--tenant northwind] [--password switchboard-demo] \
//     [--widget-key KEY] [--timeout 15000] [--screenshots DIR] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS helpcenter".
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { api, axe, businessSite, launch, noCSPViolations, securityHeaders, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    timeout: { type: 'string', default: '15000' },
    screenshots: { type: 'string', default: '' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('helpcenter: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const help = `${base}/help/${opts.tenant}`;
const nonce = Date.now().toString(36);
const title = `Reset your password ${nonce}`;
const reason = `The reset link had expired ${nonce}`;
const question = `I still cannot sign in (${nonce})`;

async function screenshot(p, name) {
  if (!opts.screenshots) return;
  mkdirSync(opts.screenshots, { recursive: true });
  await p.screenshot({ path: join(opts.screenshots, `${name}.png`), fullPage: true });
}

/** seo reads what a search engine reads of the page as it is. */
async function seo(p) {
  return p.evaluate(() => ({
    title: document.title,
    description: document.querySelector('meta[name="description"]')?.getAttribute('content') ?? '',
    canonical: document.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? '',
    lang: document.documentElement.lang,
  }));
}

let browser;

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const asAdmin = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
  let slug = '';

  await steps.run('the admin publishes an article for customers, with a script in its Markdown', async () => {
    const a = await asAdmin('POST', '/api/v1/knowledge/articles', {
      title, audience: 'customers', locale: 'en', tags: ['password'], category: 'Your account', queue_ids: [], products: [],
      issue: `I forgot my password and cannot sign in. <script>window.__pwned = 1</script><img src=x alt="" onerror="window.__pwned = 2">`,
      environment: 'Online banking, any browser',
      cause: 'Passwords are never sent by email; only a reset link is.',
      resolution: `1. Open **Sign in** and choose *Forgot password*.\n2. Follow the link we email you within 30 minutes.\n\n[Read more](javascript:window.__pwned=3)`,
    }, 201);
    slug = a.slug;
    await asAdmin('POST', `/api/v1/knowledge/articles/${a.id}/state`, { state: 'published' }, 200);
  });

  // --- a customer with JavaScript on -------------------------------------
  const cctx = await browser.newContext({ viewport: { width: 1200, height: 860 }, locale: 'en-US' });
  cctx.setDefaultTimeout(timeout);
  const page = watcher.watch(await cctx.newPage(), 'customer');

  await steps.run('the help center home shows the article under its category', async () => {
    const res = await page.goto(`${help}/`, { waitUntil: 'domcontentloaded' });
    securityHeaders(res, 'the help center', { camera: true });
    const s = await seo(page);
    if (!s.title.includes('Help center') || !s.description || s.canonical !== `${help}/`) throw new Error(`home: ${JSON.stringify(s)}`);
    await page.locator('.category', { hasText: 'Your account' }).getByRole('link', { name: title }).waitFor();
    const problems = await axe(page);
    if (problems.length) throw new Error(`accessibility:\n  ${problems.join('\n  ')}`);
  });

  await steps.run('typing in the search box suggests the article; the customer opens it', async () => {
    await page.locator('#q').pressSequentially(`reset password ${nonce}`, { delay: 30 });
    const hit = page.locator('#suggest a', { hasText: title });
    await hit.waitFor({ timeout: timeout * 2 }); // the index follows the publication
    await screenshot(page, 'helpcenter-suggest');
    const open = await axe(page);
    if (open.length) throw new Error(`accessibility with the suggestions open:\n  ${open.join('\n  ')}`);
    await hit.click();
    await page.waitForURL(`**/a/${slug}`);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    const s = await seo(page);
    if (s.canonical !== `${help}/a/${slug}` || !s.description.startsWith('I forgot my password')) throw new Error(`article: ${JSON.stringify(s)}`);
    const html = await page.locator('article').innerHTML();
    if (/<script|onerror|javascript:/i.test(html)) throw new Error(`the article's HTML kept script: ${html}`);
    if (await page.evaluate(() => window.__pwned)) throw new Error('a script in the article ran');
  });

  await steps.run('"Did this help?" No, with a reason', async () => {
    await page.locator('details.nohelp summary').click();
    await page.locator('#reason').fill(reason);
    await page.locator('details.nohelp button[type="submit"]').click();
    await page.getByRole('status').filter({ hasText: 'Thank you for telling us' }).waitFor();
    await screenshot(page, 'helpcenter-article');
    const problems = await axe(page);
    if (problems.length) throw new Error(`accessibility of the article:\n  ${problems.join('\n  ')}`);
  });

  await steps.run('"Chat with us" opens the chat on the page; the customer writes', async () => {
    await page.locator('#feedback [data-chat]').click();
    await page.getByTestId('panel').waitFor();
    await page.getByTestId('input').fill(question);
    await page.getByTestId('input').press('Enter');
    await page.locator('[data-testid="message"][data-direction="in"]', { hasText: question }).waitFor();
    noCSPViolations(watcher);
  });

  let conversationID = '';
  await steps.run('Ana opens the conversation: the trail is at its top and in its timeline', async () => {
    for (let i = 0; i < 50 && !conversationID; i++) {
      const list = await asAdmin('GET', '/api/v1/conversations?limit=20', undefined, 200);
      for (const c of list.items) {
        const msgs = await asAdmin('GET', `/api/v1/conversations/${c.id}/messages`, undefined, 200);
        if (msgs.items.some((m) => m.body === question)) conversationID = c.id;
      }
      if (!conversationID) await new Promise((ok) => setTimeout(ok, 200));
    }
    if (!conversationID) throw new Error('no conversation holds the customer\'s message');
    const trail = await asAdmin('GET', `/api/v1/conversations/${conversationID}/trail`, undefined, 200);
    const kinds = trail.events.map((e) => e.kind);
    for (const k of ['page', 'search', 'article', 'feedback']) if (!kinds.includes(k)) throw new Error(`the trail lacks a ${k}: ${JSON.stringify(trail)}`);
    // The chat's composer looks for articles as the customer types; on a slow
    // machine that lookup of the question itself is a step too. The help
    // center's search, typed letter by letter, is one.
    const searches = trail.events.filter((e) => e.kind === 'search' && e.query !== question);
    if (searches.length !== 1 || !searches[0].query.endsWith(nonce) || searches[0].results < 1) {
      throw new Error(`the search typed letter by letter is not one step with its results: ${JSON.stringify(searches)}`);
    }
    const ana = await signedIn(browser, as('ana@northwind.example'));
    const desk = watcher.watch(ana.page, 'ana');
    await desk.goto(`${base}/desktop/c/${conversationID}`, { waitUntil: 'domcontentloaded' });
    const panel = desk.getByTestId('trail-panel');
    await panel.waitFor();
    await panel.locator('[data-testid="trail-step"][data-kind="search"]', { hasText: nonce }).waitFor();
    await panel.locator('[data-testid="trail-step"][data-kind="article"]', { hasText: title }).waitFor();
    await panel.getByTestId('trail-reason').filter({ hasText: reason }).waitFor();
    await desk.locator('[data-testid="timeline-item"][data-kind="system"]', { hasText: 'Self-service before this conversation' }).waitFor();
    await screenshot(desk, 'helpcenter-trail');
    await ana.ctx.close();
  });

  // --- the same pages with JavaScript disabled ----------------------------
  await steps.run('with JavaScript off: home, search by the form, the article, feedback and "Email us"', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
    ctx.setDefaultTimeout(timeout);
    const p = watcher.watch(await ctx.newPage(), 'no-js');
    await p.goto(`${help}/?lang=de`, { waitUntil: 'domcontentloaded' });
    const s = await seo(p);
    if (s.lang !== 'de' || !s.title.includes('Hilfe-Center') || s.canonical !== `${help}/?lang=de`) throw new Error(`German home: ${JSON.stringify(s)}`);
    await p.locator('#q').fill(`password ${nonce}`);
    await p.locator('form.search button[type="submit"]').click();
    await p.waitForURL(/\/search\?q=/);
    await p.getByRole('link', { name: title }).click();
    await p.waitForURL(`**/a/${slug}`);
    await p.locator('form.helpful button[value="yes"]').click();
    await p.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();
    await p.goto(`${help}/contact`, { waitUntil: 'domcontentloaded' });
    if (!(await p.locator('noscript').count())) throw new Error('the contact page does not say the chat needs JavaScript');
    await p.locator('#email-address').fill(`nojs-${nonce}@example.org`);
    await p.locator('#message').fill(`Email without JavaScript ${nonce}`);
    await p.locator('form.contact button[type="submit"]').click();
    await p.getByRole('status').filter({ hasText: 'answer you by email' }).waitFor();
    await screenshot(p, 'helpcenter-nojs');
    const map = await p.request.get(`${help}/sitemap.xml`);
    const xml = await map.text();
    if (!map.ok() || !xml.includes(`<loc>${help}/a/${slug}</loc>`)) throw new Error(`the sitemap lacks the article: ${xml.slice(0, 500)}`);
    await ctx.close();
  });

  // --- deflection in the widget on a business's own site ------------------
  await steps.run('the widget suggests the article as a new visitor types, and opens it inline', async () => {
    const site = await businessSite(base, opts['widget-key']);
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 860 } });
    ctx.setDefaultTimeout(timeout);
    const p = watcher.watch(await ctx.newPage(), 'visitor');
    try {
      await p.goto(`${site.url}/`, { waitUntil: 'domcontentloaded' });
      await p.getByTestId('launcher').click();
      await p.getByTestId('input').pressSequentially(`forgot password ${nonce}`, { delay: 20 });
      const hit = p.getByTestId('hit').filter({ hasText: title });
      await hit.waitFor();
      await hit.click();
      await p.getByTestId('article').getByRole('heading', { name: title }).waitFor();
      if (await p.evaluate(() => window.__pwned)) throw new Error('a script in the article ran in the widget');
      await screenshot(p, 'helpcenter-widget-article');
      await p.getByTestId('back').click();
      const ask = `Widget question after reading (${nonce})`;
      await p.getByTestId('input').fill(ask);
      await p.getByTestId('input').press('Enter');
      await p.locator('[data-testid="message"][data-direction="in"]', { hasText: ask }).waitFor();
      let trail;
      for (let i = 0; i < 50 && !trail; i++) {
        const list = await asAdmin('GET', '/api/v1/conversations?limit=10', undefined, 200);
        for (const c of list.items) {
          const msgs = await asAdmin('GET', `/api/v1/conversations/${c.id}/messages`, undefined, 200);
          if (msgs.items.some((m) => m.body === ask)) trail = await asAdmin('GET', `/api/v1/conversations/${c.id}/trail`, undefined, 200);
        }
        if (!trail) await new Promise((ok) => setTimeout(ok, 200));
      }
      const kinds = trail?.events.map((e) => e.kind) ?? [];
      if (!kinds.includes('search') || !kinds.includes('article')) throw new Error(`the widget's trail: ${JSON.stringify(trail)}`);
    } finally {
      await ctx.close();
      site.close();
    }
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  noCSPViolations(watcher);
  console.log('PASS helpcenter');
}

main()
  .catch((err) => {
    console.error(`FAIL helpcenter at "${steps.current}": ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => browser?.close());
