#!/usr/bin/env node
// Knowledge-centered service in the desktop (issue 13), against a running demo center.
//
// The admin has two published articles. A customer writes in about a card
// blocked abroad; Ana opens the conversation and the card article is
// suggested for it; she links it with "l" (a reuse) and inserts its
// resolution into her reply with "i", and sends it. The customer then asks
// about a PIN and the PIN article joins the suggestions without a reload.
// Ana's search in the panel is recorded with the conversation, and a
// suggestion she dismisses stays away. She creates an
// article from the conversation (the issue in the customer's words, the
// resolution from her reply), submits it, and sees no Validate or Publish
// button; resolving the conversation asks her once whether knowledge was
// linked, created or not needed. Sam (a supervisor, so a publisher) validates
// and publishes it; its history says who moved it when. Ana can no longer
// change it; Ben flags it; Ana sees the flag on her flags page and Sam
// resolves it. Sam changes the resolution (version 2), reads the word diff
// and restores version 1 (version 3). The admin makes Ben a knowledge
// publisher on the people page, and Ben then sees Publish. The knowledge list
// finds the article by its words and by its state; the help center's search
// finds it and the widget suggests it to a visitor. Every knowledge page
// passes axe.
//
//   node web/e2e/knowledge.mjs --base URL [--tenant northwind] [--password switchboard-demo] \
//     [--widget-key wk_northwind_demo] [--screenshots DIR] [--timeout 15000] [--headed]
//
// With --screenshots it saves knowledge-desktop.png (the panel beside a
// conversation), knowledge-article.png (an article with a diff) and
// knowledge-list.png.
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS knowledge".
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { api, axe, businessSite, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '15000' },
    'widget-key': { type: 'string', default: 'wk_northwind_demo' },
    screenshots: { type: 'string', default: '' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('knowledge: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = randomUUID().slice(0, 8);

let browser;

/** screenshot saves the page as DIR/name.png when --screenshots is given. */
async function screenshot(p, name, fullPage = false) {
  if (!opts.screenshots) return;
  mkdirSync(opts.screenshots, { recursive: true });
  await p.screenshot({ path: join(opts.screenshots, `${name}.png`), fullPage });
  steps.log(`  screenshot ${join(opts.screenshots, `${name}.png`)}`);
}

/** noAxe fails with the page's serious and critical accessibility violations. */
async function noAxe(page, what) {
  const violations = await axe(page);
  if (violations.length) throw new Error(`${what} has accessibility violations:\n  ${violations.join('\n  ')}`);
}

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const ana = await signedIn(browser, as('ana@northwind.example'));
  const sam = await signedIn(browser, as('supervisor@northwind.example'));
  const ben = await signedIn(browser, as('ben@northwind.example'));
  for (const [who, s] of [['admin', admin], ['ana', ana], ['sam', sam], ['ben', ben]]) watcher.watch(s.page, who);
  const call = (s) => (method, path, body, want) => api(s.ctx.request, base, method, path, body, want);
  const asAdmin = call(admin);
  const asAna = call(ana);
  const asBen = call(ben);
  const me = async (s) => (await call(s)('GET', '/api/v1/me', undefined, 200)).user;
  const anaUser = await me(ana);

  const CARD_RESOLUTION = 'Open the app, go to Cards, then Travel, and switch on "Use abroad". Payments work again within a minute.';
  let card, pin;
  await steps.run('the admin has two published articles: a card blocked abroad, and changing a PIN', async () => {
    const publish = async (body) => {
      const a = await asAdmin('POST', '/api/v1/knowledge/articles', { audience: 'both', locale: 'en', tags: ['cards'], category: 'Cards', queue_ids: [], products: [], environment: '', cause: '', ...body }, 201);
      return asAdmin('POST', `/api/v1/knowledge/articles/${a.id}/state`, { state: 'published' }, 200);
    };
    card = await publish({
      title: `Card blocked while travelling abroad ${nonce}`,
      issue: 'My card is blocked or declined in shops while I am travelling abroad.',
      cause: 'Cards are blocked outside the home country until travel use is switched on.',
      resolution: CARD_RESOLUTION,
    });
    // Not a word in common with the customer's first message, so it is suggested only after the second.
    pin = await publish({
      title: `Change your PIN ${nonce}`, tags: ['security'], category: 'Security',
      issue: 'I forgot my PIN, or want a new PIN code.',
      resolution: 'In the app, open Security, then Change PIN. Enter the new PIN twice.',
    });
    if (card.state !== 'published' || pin.state !== 'published') throw new Error(`the seeded articles are ${card.state} and ${pin.state}`);
  });

  let conversationId;
  const customer = { kind: 'external', value: `kb-${nonce}` };
  await steps.run('a customer writes in: the card is blocked abroad', async () => {
    const first = await asAdmin('POST', '/api/v1/channels/api/messages', {
      from: customer, name: 'Lena Traveller',
      body: 'Hello, my card is blocked. I am travelling abroad in Spain and it is declined in every shop.',
      external_id: `kb-${nonce}-1`,
    }, 201);
    conversationId = first.conversation.id;
  });

  const desk = ana.page;
  const panel = desk.getByTestId('kb-panel');
  const suggestion = (id) => panel.locator(`[data-testid="kb-suggestion"][data-article-id="${id}"]`);
  await steps.run('Ana opens the conversation; the card article is suggested for it', async () => {
    await desk.goto(`${base}/desktop/c/${conversationId}`, { waitUntil: 'domcontentloaded' });
    await panel.waitFor();
    try {
      await suggestion(card.id).waitFor({ timeout: 8000 });
    } catch {
      const shown = await panel.innerText();
      throw new Error(`the panel does not suggest "${card.title}":\n${shown}`);
    }
    if (await suggestion(pin.id).count()) throw new Error(`"${pin.title}" is suggested before anyone spoke of a PIN`);
    await noAxe(desk, 'the desktop with the knowledge panel');
  });

  await steps.run('Ana focuses the suggestion and presses l: it is linked to the conversation (a reuse)', async () => {
    await suggestion(card.id).focus();
    await desk.keyboard.press('l');
    await panel.locator(`[data-testid="kb-link"][data-article-id="${card.id}"][data-kind="linked"]`).waitFor();
    await suggestion(card.id).and(desk.locator('[data-linked="true"]')).waitFor();
    const k = await asAna('GET', `/api/v1/conversations/${conversationId}/knowledge`, undefined, 200);
    if (!k.links.some((l) => l.article_id === card.id && l.kind === 'linked')) throw new Error(`the API has no link: ${JSON.stringify(k.links)}`);
  });

  const composer = desk.getByTestId('composer-input');
  await steps.run('i inserts its resolution into the reply, which Ana sends', async () => {
    await suggestion(card.id).focus();
    await desk.keyboard.press('i');
    await desk.waitForFunction(() => document.querySelector('[data-testid="composer-input"]')?.value.includes('Use abroad'));
    await composer.press('End');
    await composer.pressSequentially(' Sorry for the trouble!');
    await desk.getByTestId('composer-send').click();
    // The sent reply may show twice for a moment (the pending copy and the stored one).
    await desk.locator('[data-testid="timeline-item"][data-direction="out"]', { hasText: 'Use abroad' }).first().waitFor();
  });

  await steps.run('the customer asks about the PIN; the PIN article joins the suggestions without a reload', async () => {
    await asAdmin('POST', '/api/v1/channels/api/messages', {
      from: customer, body: 'Thanks! And I also forgot my PIN code, how can I get a new PIN?', external_id: `kb-${nonce}-2`,
    }, 201);
    try {
      await suggestion(pin.id).waitFor({ timeout: 8000 });
    } catch {
      throw new Error(`after the customer's PIN question the panel does not suggest "${pin.title}":\n${await panel.innerText()}`);
    }
    await screenshot(desk, 'knowledge-desktop');
  });

  await steps.run('Ana searches "PIN" in the panel; the search is recorded with the conversation', async () => {
    await panel.getByTestId('kb-search-input').fill('PIN');
    await panel.getByTestId('kb-search-submit').click();
    await panel.locator(`[data-testid="kb-hit"][data-article-id="${pin.id}"]`).waitFor();
    await panel.getByTestId('kb-recorded-search').filter({ hasText: 'PIN' }).first().waitFor({ state: 'attached' });
    const k = await asAna('GET', `/api/v1/conversations/${conversationId}/knowledge`, undefined, 200);
    if (!k.searches.some((s) => s.query === 'PIN' && s.agent_id === anaUser.id)) throw new Error(`the search is not recorded: ${JSON.stringify(k.searches)}`);
  });

  await steps.run('Ana dismisses a suggestion that does not fit; it stays away after a reload', async () => {
    // The demo's own card articles fit the customer's words too; one of them goes.
    const item = panel.locator(`[data-testid="kb-suggestion"]:not([data-linked="true"]):not([data-article-id="${pin.id}"])`).first();
    const id = await item.getAttribute('data-article-id');
    await item.getByTestId('kb-suggestion-dismiss').click();
    await suggestion(id).waitFor({ state: 'detached' });
    await desk.reload({ waitUntil: 'domcontentloaded' });
    await suggestion(pin.id).waitFor();
    if (await suggestion(id).count()) throw new Error('the dismissed article is suggested again after a reload');
  });

  let created;
  await steps.run('"Create article from this conversation" opens an article filled in from it, which Ana saves', async () => {
    await panel.getByTestId('kb-create').click();
    await desk.waitForURL(/\/knowledge\/new\?conversation=/);
    const issue = desk.getByTestId('kb-field-issue');
    await desk.waitForFunction(() => /travelling abroad in Spain/.test(document.querySelector('[data-testid="kb-field-issue"]')?.value ?? ''));
    const resolution = await desk.getByTestId('kb-field-resolution').inputValue();
    if (!resolution.includes('Use abroad')) throw new Error(`the draft's resolution is not from Ana's reply: "${resolution}"`);
    if (!(await issue.inputValue()).includes('blocked')) throw new Error('the draft issue lost the customer’s words');
    const title = desk.getByTestId('kb-field-title');
    await title.fill(`Card declined in Spain ${nonce}`);
    await desk.getByTestId('kb-field-audience').selectOption('both');
    await noAxe(desk, 'the new article page');
    await desk.getByTestId('kb-save').click();
    await desk.locator('[data-testid="kb-article-page"][data-state="wip"]').waitFor();
    const id = new URL(desk.url()).pathname.split('/').pop();
    created = await asAna('GET', `/api/v1/knowledge/articles/${id}`, undefined, 200);
    if (created.source_conversation_id !== conversationId) throw new Error(`the article's source conversation is "${created.source_conversation_id}"`);
    const k = await asAna('GET', `/api/v1/conversations/${conversationId}/knowledge`, undefined, 200);
    if (!k.links.some((l) => l.article_id === created.id && l.kind === 'created')) throw new Error(`the conversation has no "created" link: ${JSON.stringify(k.links)}`);
  });

  await steps.run('Ana submits it for validation and, not a publisher, sees no Validate or Publish button', async () => {
    await desk.getByTestId('kb-move-not_validated').click();
    await desk.locator('[data-testid="kb-article-page"][data-state="not_validated"]').waitFor();
    for (const to of ['validated', 'published', 'archived']) {
      if (await desk.getByTestId(`kb-move-${to}`).count()) throw new Error(`an agent who is no publisher sees the ${to} button`);
    }
    await desk.getByTestId('kb-move-wip').waitFor();
    await noAxe(desk, 'the article page');
  });

  await steps.run('Ana resolves the conversation and is asked, once, whether knowledge was linked, created or not needed', async () => {
    await desk.goto(`${base}/desktop/c/${conversationId}`, { waitUntil: 'domcontentloaded' });
    await desk.getByTestId('action-resolve').click();
    const prompt = desk.getByTestId('kb-outcome');
    await prompt.waitFor();
    await noAxe(desk, 'the resolve prompt');
    // It does not take the keyboard: the agent's keys still reach the desktop.
    if (await prompt.evaluate((el) => el.contains(document.activeElement))) throw new Error('the prompt took the focus');
    await prompt.getByTestId('kb-outcome-created').and(desk.locator('.button-primary')).waitFor();
    await prompt.getByTestId('kb-outcome-created').click();
    await prompt.waitFor({ state: 'hidden' });
    const k = await asAna('GET', `/api/v1/conversations/${conversationId}/knowledge`, undefined, 200);
    if (k.outcome !== 'created') throw new Error(`the outcome is "${k.outcome}", want created`);
    // Reopened and resolved again, after a reload: the answer is there, so no question.
    await desk.reload({ waitUntil: 'domcontentloaded' });
    await desk.getByTestId('action-reopen').click();
    await desk.getByTestId('action-resolve').waitFor();
    const asked = desk.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${conversationId}/knowledge`) && r.request().method() === 'GET');
    await desk.getByTestId('action-resolve').click();
    await asked;
    await desk.getByTestId('action-reopen').waitFor();
    if (await prompt.isVisible()) throw new Error('the prompt asked again for a conversation whose outcome is known');
  });

  const sp = sam.page;
  const articleURL = () => `${base}/knowledge/a/${created.id}`;
  await steps.run('Sam, a supervisor, validates and publishes it; the history says who moved it when', async () => {
    await sp.goto(articleURL(), { waitUntil: 'domcontentloaded' });
    await sp.locator('[data-testid="kb-article-page"][data-state="not_validated"]').waitFor();
    await sp.getByTestId('kb-move-validated').click();
    await sp.locator('[data-testid="kb-article-page"][data-state="validated"]').waitFor();
    await sp.getByTestId('kb-move-published').click();
    await sp.locator('[data-testid="kb-article-page"][data-state="published"]').waitFor();
    const history = sp.getByTestId('kb-history');
    await history.locator('[data-testid="kb-history-row"][data-to="published"]', { hasText: 'Sam Supervisor' }).waitFor();
    await history.locator('[data-testid="kb-history-row"][data-to="validated"]', { hasText: 'Sam Supervisor' }).waitFor();
    await history.locator('[data-testid="kb-history-row"][data-to="not_validated"]', { hasText: 'Ana Agent' }).waitFor();
  });

  await steps.run('Ana can no longer change the published article; Ben flags it with a reason', async () => {
    await desk.goto(articleURL(), { waitUntil: 'domcontentloaded' });
    await desk.locator('[data-testid="kb-article-page"][data-state="published"]').waitFor();
    await desk.getByTestId('kb-readonly').waitFor();
    if (await desk.getByTestId('kb-save').count()) throw new Error('Ana may save a published article');
    if (await desk.getByTestId('kb-moves').locator('button').count()) throw new Error('Ana may move a published article');
    const bp = ben.page;
    await bp.goto(articleURL(), { waitUntil: 'domcontentloaded' });
    await bp.getByTestId('kb-flag-reason').fill('The app now calls it "Travel mode", not "Use abroad".');
    await bp.getByTestId('kb-flag-submit').click();
    await bp.locator('[data-testid="kb-flag"][data-open="true"]', { hasText: 'Travel mode' }).waitFor();
  });

  await steps.run('Ana, its owner, sees the flag on her flags page; Sam resolves it', async () => {
    await desk.goto(`${base}/knowledge/flags`, { waitUntil: 'domcontentloaded' });
    const row = desk.locator('[data-testid="kb-flag-row"][data-open="true"]', { hasText: 'Travel mode' });
    await row.waitFor();
    await noAxe(desk, 'the flags page');
    await sp.reload({ waitUntil: 'domcontentloaded' });
    const flag = sp.locator('[data-testid="kb-flag"][data-open="true"]', { hasText: 'Travel mode' });
    await flag.getByTestId('kb-flag-resolve').click();
    await sp.locator('[data-testid="kb-flag"][data-open="false"]', { hasText: 'Travel mode' }).waitFor();
    await desk.reload({ waitUntil: 'domcontentloaded' });
    await desk.getByTestId('kb-flags-page').waitFor();
    await row.waitFor({ state: 'detached' });
  });

  await steps.run('Sam fixes the resolution (a new version), reads the word diff, and restores the earlier version', async () => {
    await sp.reload({ waitUntil: 'domcontentloaded' });
    const page = sp.locator('[data-testid="kb-article-page"][data-state="published"]');
    await page.waitFor();
    const v1 = Number(await page.getAttribute('data-version'));
    const field = sp.getByTestId('kb-field-resolution');
    const before = await field.inputValue();
    await field.fill(before.replace('"Use abroad"', '"Travel mode"'));
    await sp.getByTestId('kb-field-note').fill('The app renamed the switch');
    await sp.getByTestId('kb-save').click();
    await sp.locator(`[data-testid="kb-article-page"][data-version="${v1 + 1}"]`).waitFor();
    await sp.locator(`[data-testid="kb-version-row"][data-version="${v1 + 1}"]`, { hasText: 'The app renamed the switch' }).waitFor();
    await sp.locator(`[data-testid="kb-version-row"][data-version="${v1 + 1}"]`).getByTestId('kb-version-diff').click();
    const diff = sp.locator(`[data-testid="kb-diff"][data-from="${v1}"][data-to="${v1 + 1}"]`);
    await diff.waitFor();
    const res = diff.locator('[data-testid="kb-diff-field"][data-field="resolution"]');
    await res.getByTestId('kb-diff-insert').filter({ hasText: 'Travel' }).first().waitFor();
    await res.getByTestId('kb-diff-delete').filter({ hasText: 'abroad' }).first().waitFor();
    if (await diff.locator('[data-testid="kb-diff-field"][data-field="title"]').count()) throw new Error('the diff shows the unchanged title as changed');
    await noAxe(sp, 'the article page with a diff');
    await diff.scrollIntoViewIfNeeded();
    await screenshot(sp, 'knowledge-article');
    await sp.locator(`[data-testid="kb-version-row"][data-version="${v1}"]`).getByTestId('kb-version-restore').click();
    await sp.getByTestId('confirm-dialog').getByTestId('confirm-ok').click();
    await sp.locator(`[data-testid="kb-article-page"][data-version="${v1 + 2}"]`).waitFor();
    if ((await sp.getByTestId('kb-field-resolution').inputValue()) !== before) throw new Error('the restored resolution is not the earlier one');
    const a = await asAna('GET', `/api/v1/knowledge/articles/${created.id}`, undefined, 200);
    if (a.version !== v1 + 2 || !a.resolution.includes('Use abroad')) throw new Error(`after the restore the API has version ${a.version}: ${a.resolution}`);
  });

  await steps.run('the admin makes Ben a knowledge publisher on the people page; Ben then sees Publish', async () => {
    const draft = await asBen('POST', '/api/v1/knowledge/articles', {
      title: `Contactless limit ${nonce}`, issue: 'Contactless payment asks for my PIN.', environment: '', cause: '',
      resolution: 'Above 50 EUR a PIN is asked; this is normal.', audience: 'agents', locale: 'en', tags: [], category: '', queue_ids: [], products: [],
    }, 201);
    const bp = ben.page;
    await bp.goto(`${base}/knowledge/a/${draft.id}`, { waitUntil: 'domcontentloaded' });
    await bp.getByTestId('kb-move-not_validated').waitFor();
    if (await bp.getByTestId('kb-move-published').count()) throw new Error('Ben sees Publish before he is a publisher');
    const ap = admin.page;
    await ap.goto(`${base}/admin/people`, { waitUntil: 'domcontentloaded' });
    const box = ap.locator('[data-testid="kb-publisher"][data-email="ben@northwind.example"]');
    await box.check();
    await ap.waitForFunction(() => !document.querySelector('[data-testid="kb-publisher"][data-email="ben@northwind.example"]')?.disabled);
    if (!(await box.isChecked())) throw new Error('the publisher box did not stay ticked');
    const benMe = await me(ben);
    if (benMe.knowledge_publisher !== true) throw new Error(`Ben's /me says knowledge_publisher ${benMe.knowledge_publisher}`);
    await bp.reload({ waitUntil: 'domcontentloaded' });
    await bp.getByTestId('kb-move-published').click();
    await bp.locator('[data-testid="kb-article-page"][data-state="published"]').waitFor();
  });

  await steps.run('the knowledge list finds the new article by its words and by its state', async () => {
    const lp = ana.page;
    await lp.getByTestId('nav-knowledge').click();
    await lp.getByTestId('kb-list-page').waitFor();
    await lp.locator('[data-testid="kb-row"][data-state="wip"]').first().waitFor(); // the whole list first: the demo has work in progress
    await lp.getByTestId('kb-filter-state').selectOption('published');
    try {
      await lp.locator('[data-testid="kb-row"]:not([data-state="published"])').first().waitFor({ state: 'detached', timeout: 5000 });
    } catch {
      throw new Error('the state filter still shows other states');
    }
    await lp.locator(`[data-testid="kb-row"][data-article-id="${created.id}"][data-state="published"]`).waitFor();
    await lp.getByTestId('kb-filter-flagged').check(); // the demo's transfer-fees article has an open flag
    try {
      await lp.locator(`[data-testid="kb-row"][data-article-id="${created.id}"]`).waitFor({ state: 'detached', timeout: 5000 });
      await lp.locator('[data-testid="kb-row"]:not(:has(.badge-failed))').first().waitFor({ state: 'detached', timeout: 5000 });
    } catch {
      throw new Error('"Only with open flags" still lists articles without one');
    }
    await lp.locator('[data-testid="kb-row"]').first().waitFor();
    await lp.getByTestId('kb-filter-flagged').uncheck();
    await lp.getByTestId('kb-q').fill('declined Spain');
    await lp.getByTestId('kb-q').press('Enter');
    await lp.locator(`[data-testid="kb-row"][data-article-id="${created.id}"]`).waitFor();
    await lp.locator('[data-testid="kb-row"] mark').first().waitFor();
    await noAxe(lp, 'the knowledge list');
    await screenshot(lp, 'knowledge-list');
  });

  await steps.run('published for customers, the article is found by the help center’s search and suggested in the widget', async () => {
    const res = await admin.ctx.request.get(`${base}/help/${opts.tenant}/search.json?q=${encodeURIComponent('card declined Spain')}`);
    const found = await res.json();
    if (!found.items?.some((h) => h.slug === created.slug)) throw new Error(`the help center's search does not find it: ${JSON.stringify(found)}`);
    const site = await businessSite(base, opts['widget-key']);
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 860 } });
    ctx.setDefaultTimeout(timeout);
    try {
      const p = watcher.watch(await ctx.newPage(), 'visitor');
      await p.goto(`${site.url}/`, { waitUntil: 'domcontentloaded' });
      await p.getByTestId('launcher').click();
      await p.getByTestId('input').pressSequentially('card declined in Spain', { delay: 20 });
      await p.getByTestId('hit').filter({ hasText: created.title }).waitFor();
    } finally {
      await ctx.close();
      site.close();
    }
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  if (watcher.consoleErrors.length) throw new Error(`console errors and refused requests:\n  ${watcher.consoleErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS knowledge`);
} catch (err) {
  console.error(`FAIL knowledge at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
