#!/usr/bin/env node
// The supervisors' knowledge measures (issue 13, KCS Evolve loop) against a
// running demo center.
//
// Over the API: measures read first, then Ana resolves two new conversations
// (one with a freshly published article linked, one with nothing), a reader
// answers "Did this help? Yes" on the article in the public help center, and
// a flag on it is raised and fixed. The API's figures moved by exactly that;
// the page shows the API's figures (link rate, new vs known, flags, Ana's row,
// the article's reuse and feedback rows); a measure's CSV and the whole CSV
// download with the same figures; axe finds nothing serious.
//
//   node web/e2e/kbmeasures.mjs --base URL [--tenant northwind] [--password switchboard-demo] [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS kbmeasures".
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

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
  console.error('kbmeasures: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = Math.random().toString(36).slice(2, 8);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const pct = (r) => `${Math.round(r * 1000) / 10}%`;

// The page's default period: the last 30 days, today included (UTC).
const day = (d) => d.toISOString().slice(0, 10);
const to = day(new Date());
const from = day(new Date(Date.now() - 29 * 24 * 3600 * 1000));
const PATH = `/api/v1/knowledge/measures?from=${from}&to=${to}`;

let browser;

async function until(what, fn) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as(`admin@${opts.tenant}.example`));
  const adm = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);
  const anaS = await signedIn(browser, as(`ana@${opts.tenant}.example`));
  const ana = (method, path, body, want) => api(anaS.ctx.request, base, method, path, body, want);
  const sup = await signedIn(browser, as(`supervisor@${opts.tenant}.example`));
  const supAPI = (method, path, body, want) => api(sup.ctx.request, base, method, path, body, want);
  const me = (await ana('GET', '/api/v1/me', undefined, 200)).user;

  let before;
  await steps.run('an agent may not read the measures; the supervisor may', async () => {
    await ana('GET', PATH, undefined, 403);
    before = await supAPI('GET', PATH, undefined, 200);
  });

  let article, slug;
  const title = `Measures e2e ${nonce}`;
  await steps.run('Ana writes an article and the admin publishes it', async () => {
    const a = await ana('POST', '/api/v1/knowledge/articles', {
      title, issue: `Where is my statement ${nonce}`, resolution: 'Statements are under Accounts.', audience: 'both', locale: 'en', tags: [], category: 'Your account',
    }, 201);
    article = a.id;
    slug = a.slug;
    await adm('POST', `/api/v1/knowledge/articles/${article}/state`, { state: 'published' }, 200);
  });

  const contact = async (who) =>
    (await adm('POST', '/api/v1/channels/api/messages', { from: { kind: 'external', value: `kbm-${who}-${nonce}` }, name: `Customer ${who}`, body: `Statement question ${who}` }, 201))
      .conversation.id;
  await steps.run('Ana resolves one conversation with the article linked and one with nothing linked', async () => {
    for (const [who, link] of [['linked', true], ['plain', false]]) {
      const c = await contact(who);
      await adm('PATCH', `/api/v1/conversations/${c}`, { assignee_id: me.id }, 200);
      if (link) await ana('POST', `/api/v1/conversations/${c}/knowledge/links`, { article_id: article }, 201);
      await ana('PATCH', `/api/v1/conversations/${c}`, { status: 'resolved' }, 200);
    }
  });

  await steps.run('a reader says the article helped, in the public help center', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    ctx.setDefaultTimeout(timeout);
    const p = watcher.watch(await ctx.newPage(), 'reader');
    await until('the article is on the help center', async () => (await p.goto(`${base}/help/${opts.tenant}/a/${slug}`)).ok());
    await p.locator('form.helpful button[value="yes"]').click();
    await p.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();
    await ctx.close();
  });

  await steps.run('a flag on the article is raised and fixed', async () => {
    const f = await ana('POST', `/api/v1/knowledge/articles/${article}/flags`, { reason: 'the menu moved' }, 201);
    await adm('POST', `/api/v1/knowledge/flags/${f.id}/resolve`, undefined, 200);
  });

  let after;
  await steps.run('the API counts exactly what was done', async () => {
    after = await supAPI('GET', PATH, undefined, 200);
    const d = (f) => f(after) - f(before);
    const want = {
      resolved: [d((m) => m.link_rate.resolved), 2],
      linked: [d((m) => m.link_rate.linked), 1],
      known: [d((m) => m.new_vs_known.known), 1],
      none: [d((m) => m.new_vs_known.none), 1],
      flagsOpened: [d((m) => m.flags.opened), 1],
      flagsFixed: [d((m) => m.flags.fixed), 1],
    };
    for (const [k, [got, w]] of Object.entries(want)) if (got !== w) throw new Error(`${k} moved by ${got}, want ${w}`);
    const reuse = after.reuse.find((u) => u.article_id === article);
    if (!reuse || reuse.links !== 1 || reuse.title !== title) throw new Error(`reuse of the article: ${JSON.stringify(reuse)}`);
    const fb = after.feedback.find((o) => o.article_id === article);
    if (!fb || fb.yes !== 1 || fb.no !== 0) throw new Error(`feedback on the article: ${JSON.stringify(fb)}`);
    const row = after.agents.find((r) => r.key === me.id);
    const was = before.agents.find((r) => r.key === me.id) ?? { resolved: 0, linked: 0 };
    if (!row || row.resolved - was.resolved !== 2 || row.linked - was.linked !== 1) throw new Error(`Ana's row ${JSON.stringify(row)} after ${JSON.stringify(was)}`);
  });

  const page = watcher.watch(sup.page, 'supervisor');
  await steps.run('the page shows the same figures', async () => {
    await page.goto(`${base}/admin/knowledge-measures`, { waitUntil: 'domcontentloaded' });
    const text = async (id) => (await page.getByTestId(id).textContent())?.trim();
    await page.getByTestId('kbm-link-rate').waitFor();
    const want = {
      'kbm-resolved': String(after.link_rate.resolved),
      'kbm-linked': String(after.link_rate.linked),
      'kbm-link-rate': pct(after.link_rate.rate),
      'kbm-known': String(after.new_vs_known.known),
      'kbm-new': String(after.new_vs_known.new),
      'kbm-none': String(after.new_vs_known.none),
      'kbm-flags-opened': String(after.flags.opened),
      'kbm-flags-fixed': String(after.flags.fixed),
      'kbm-flags-median': `${after.flags.median_hours} h`,
    };
    for (const [id, w] of Object.entries(want)) {
      const got = await text(id);
      if (got !== w) throw new Error(`${id} shows "${got}", want "${w}"`);
    }
    const agent = after.agents.find((r) => r.key === me.id);
    const row = page.locator(`[data-testid="kbm-agent-row"][data-key="${me.id}"]`);
    const cells = await row.locator('td').allTextContents();
    if (cells.join('|') !== `${agent.resolved}|${agent.linked}|${pct(agent.rate)}`) throw new Error(`Ana's row shows ${cells.join('|')}, want ${JSON.stringify(agent)}`);
    const reuse = await page.locator(`[data-testid="kbm-reuse-row"][data-key="${article}"] td`).allTextContents();
    if (reuse.join('|') !== '1|0') throw new Error(`the article's reuse row shows ${reuse.join('|')}`);
    const fb = await page.locator(`[data-testid="kbm-feedback-row"][data-key="${article}"] td`).allTextContents();
    if (fb.slice(0, 2).join('|') !== '1|0') throw new Error(`the article's feedback row shows ${fb.join('|')}`);
  });

  await steps.run('every chart has a title and a text alternative; axe finds nothing serious', async () => {
    for (const svg of await page.locator('svg[role="img"]').all()) {
      const ids = (await svg.getAttribute('aria-labelledby')).split(' ');
      for (const id of ids) if (!(await page.locator(`#${id}`).textContent())?.trim()) throw new Error(`a chart's ${id} is empty`);
    }
    if ((await page.locator('details.wall-data table').count()) < 3) throw new Error('the charts lack their tables');
    const problems = await axe(page);
    if (problems.length) throw new Error(`accessibility:\n  ${problems.join('\n  ')}`);
  });

  await steps.run('CSV downloads: one measure, and all of them', async () => {
    const get = async (id) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      return { name: dl.suggestedFilename(), body: readFileSync(await dl.path(), 'utf8') };
    };
    const nk = after.new_vs_known;
    const one = await get('kbm-csv-new_vs_known');
    const want = `resolved,known,new,none\n${nk.resolved},${nk.known},${nk.new},${nk.none}\n`;
    if (one.body !== want || !one.name.startsWith('knowledge-measures-new_vs_known-')) throw new Error(`new vs known CSV ${one.name}: ${JSON.stringify(one.body)}, want ${JSON.stringify(want)}`);
    const all = await get('kbm-csv-all');
    for (const s of ['# link_rate', '# agents', '# reuse', '# flags', `${article},${title},1,0`]) {
      if (!all.body.includes(s)) throw new Error(`the whole CSV lacks ${s}:\n${all.body}`);
    }
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS kbmeasures`);
} catch (err) {
  console.error(`FAIL kbmeasures at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
