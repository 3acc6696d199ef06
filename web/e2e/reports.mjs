#!/usr/bin/env node
// Reports over time (issue 16) against a running demo center.
//
// Over the API: the report of today is read, then two customers write over
// the API channel; one is assigned to Ana and resolved. Once the rollups
// have folded them, the supervisor's Reports page shows the API's figures,
// its charts have titles, descriptions and tables, axe finds nothing
// serious, a bar of the hour chart opens exactly the conversations created
// in that hour (ours among them) and a row opens the conversation in the
// desktop; the summary CSV downloads with a BOM and the same figures. The
// second customer opts out of statements and Ana links a new article to the
// first before resolving it: the notice, knowledge and best-hour sections
// show the API's figures, the link rate opens the linked resolution, and the
// knowledge CSV lists the article.
//
//   node web/e2e/reports.mjs --base URL [--tenant northwind] [--password switchboard-demo] [--screenshots DIR] [--timeout 15000] [--headed]
//
// With --screenshots it saves reports.png (the page with the figures, light theme).
//
// It ends with "PASS reports".
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    screenshots: { type: 'string', default: '' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base) {
  console.error('reports: --base is required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const nonce = Math.random().toString(36).slice(2, 8);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
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
  const page = watcher.watch(sup.page, 'supervisor');
  const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  const PATH = `/api/v1/reports?from=${today}&to=${today}&tz=${encodeURIComponent(tz)}`;

  let before;
  await steps.run('an agent may not read reports; the supervisor may', async () => {
    await ana('GET', PATH, undefined, 403);
    before = await supAPI('GET', PATH, undefined, 200);
  });

  const ours = [];
  let article;
  await steps.run('two customers write; the second opts out of statements; Ana links an article to the first and resolves it', async () => {
    const personas = [];
    for (const who of ['one', 'two']) {
      const r = await adm('POST', '/api/v1/channels/api/messages', { from: { kind: 'external', value: `rep-${who}-${nonce}` }, name: `Customer ${who}`, body: `Report question ${who}` }, 201);
      ours.push(r.conversation.id);
      personas.push(r.conversation.persona_id);
    }
    await adm('POST', `/api/v1/personas/${personas[1]}/consent`, { scope: 'type:statement.ready', granted: false, note: 'no statements' }, 201);
    article = (await ana('POST', '/api/v1/knowledge/articles', { title: `Report answer ${nonce}`, issue: `Report question ${nonce}`,
      resolution: 'Answered from the report.', audience: 'both', locale: 'en', tags: [], category: 'Your account' }, 201)).id;
    await adm('PATCH', `/api/v1/conversations/${ours[0]}`, { assignee_id: me.id }, 200);
    await ana('POST', `/api/v1/conversations/${ours[0]}/knowledge/links`, { article_id: article }, 201);
    await ana('PATCH', `/api/v1/conversations/${ours[0]}`, { status: 'resolved' }, 200);
  });

  let after;
  await steps.run('the rollups fold them: the report counts exactly that', async () => {
    after = await until('the report counts both conversations, the resolution with its article and the opt-out', async () => {
      const r = await supAPI('GET', PATH, undefined, 200);
      return r.current.conversations - before.current.conversations === 2 && r.current.resolved - before.current.resolved === 1 &&
        r.current.knowledge.linked - before.current.knowledge.linked === 1 && r.current.notices.total.opt_outs - before.current.notices.total.opt_outs === 1 ? r : null;
    });
    const top = after.current.knowledge.top_articles.find((a) => a.article_id === article);
    if (!top || top.conversations !== 1 || top.title !== `Report answer ${nonce}`) throw new Error(`the article's reuse: ${JSON.stringify(top)}`);
    const st = after.current.notices.by_type.find((r) => r.type === 'statement.ready');
    if (!st || st.opt_outs - (before.current.notices.by_type.find((r) => r.type === 'statement.ready')?.opt_outs ?? 0) !== 1) {
      throw new Error(`statement.ready's opt-outs: ${JSON.stringify(st)}`);
    }
    if (after.current.answered - before.current.answered < 1) throw new Error(`answered moved by ${after.current.answered - before.current.answered}`);
    const api = after.current.by_channel.find((c) => c.channel === 'api');
    const was = before.current.by_channel.find((c) => c.channel === 'api')?.conversations ?? 0;
    if (!api || api.conversations - was !== 2) throw new Error(`the api channel moved by ${api?.conversations - was}`);
  });

  await steps.run('the page shows the same figures', async () => {
    await page.goto(`${base}/admin/reports`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('rep-hour-chart').waitFor();
    const r = await supAPI('GET', PATH.replace(`from=${today}`, `from=${await page.getByTestId('rep-from').inputValue()}`), undefined, 200);
    const text = async (id) => (await page.getByTestId(id).textContent())?.trim();
    const want = { 'rep-fig-conversations': String(r.current.conversations), 'rep-fig-resolved': String(r.current.resolved), 'rep-fig-answered': String(r.current.answered) };
    for (const [id, w] of Object.entries(want)) {
      const got = await text(id);
      if (got !== w) throw new Error(`${id} shows "${got}", want "${w}"`);
    }
    if ((await page.getByTestId('rep-times-row').count()) !== 4) throw new Error('the times table lacks rows');
    const pct = (n) => (n === null ? null : `${Math.round(n * 10) / 10} %`);
    const more = { 'rep-fig-kb-link-rate': pct(r.current.knowledge.link_rate_pct), 'rep-fig-kb-links': String(r.current.knowledge.links),
      'rep-fig-notice-sent': String(r.current.notices.total.sent), 'rep-fig-notice-opt-outs': String(r.current.notices.total.opt_outs) };
    for (const [id, w] of Object.entries(more)) {
      const got = await text(id);
      if (w !== null && got !== w) throw new Error(`${id} shows "${got}", want "${w}"`);
    }
    await page.locator(`[data-testid="rep-kb-article"][data-id="${article}"]`).waitFor();
    await page.locator('[data-testid="rep-notice-row"][data-key="type:statement.ready"]').waitFor();
    const segments = r.current.best_hours.segments.length;
    const heat = await page.getByTestId('rep-besthour-row').count();
    if (r.current.best_hours.all.responses > 0 ? heat !== segments + 1 : heat !== 0) throw new Error(`${heat} heat-map rows for ${segments} segments`);
    if (opts.screenshots) {
      mkdirSync(opts.screenshots, { recursive: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: join(opts.screenshots, 'reports.png') });
    }
  });

  await steps.run('every chart has a title, a description and a table; axe finds nothing serious', async () => {
    const charts = await page.locator('svg[role="img"]').all();
    if (charts.length < 4) throw new Error(`${charts.length} charts`);
    for (const svg of charts) {
      for (const id of (await svg.getAttribute('aria-labelledby')).split(' ')) {
        if (!(await page.locator(`#${id}`).textContent())?.trim()) throw new Error(`a chart's ${id} is empty`);
      }
    }
    if ((await page.locator('details.wall-data table').count()) < 3) throw new Error('the charts lack their tables');
    const problems = await axe(page);
    if (problems.length) throw new Error(`accessibility:\n  ${problems.join('\n  ')}`);
  });

  await steps.run('the dark theme draws the same charts', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const problems = await axe(page);
    await page.emulateMedia({ colorScheme: 'light' });
    if (problems.length) throw new Error(`accessibility in the dark:\n  ${problems.join('\n  ')}`);
  });

  await steps.run("a bar of the hour chart opens that hour's conversations, ours among them", async () => {
    const created = (await adm('GET', `/api/v1/conversations/${ours[1]}`, undefined, 200)).created_at;
    const hour = await page.evaluate((iso) => new Date(iso).getHours(), created);
    const drill = await supAPI('GET', `/api/v1/reports/drilldown?metric=conversations&hour=${hour}&from=${today}&to=${today}&tz=${encodeURIComponent(tz)}`, undefined, 200);
    await page.locator(`[data-testid="rep-hour-bar"][data-hour="${hour}"] rect`).first().click();
    await page.getByTestId('rep-drill').waitFor();
    await until('the drill-down lists the API\'s conversations', async () => {
      const ids = await page.getByTestId('rep-drill-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
      const want = drill.items.map((i) => i.conversation_id);
      return ids.length === want.length && want.every((id) => ids.includes(id)) && ours.every((id) => ids.includes(id));
    });
  });

  await steps.run('the knowledge link rate opens the resolutions with an article linked, ours among them', async () => {
    const drill = await supAPI('GET', `/api/v1/reports/drilldown?metric=kb_linked&from=${today}&to=${today}&tz=${encodeURIComponent(tz)}`, undefined, 200);
    if (!drill.items.some((i) => i.conversation_id === ours[0]) || drill.items.some((i) => i.conversation_id === ours[1])) {
      throw new Error(`kb_linked drill-down: ${drill.items.map((i) => i.conversation_id)}`);
    }
    await page.getByTestId('rep-kb-drill-linked').click();
    await until('the drill-down lists the linked resolution', async () =>
      (await page.locator(`[data-testid="rep-drill-row"][data-id="${ours[0]}"]`).count()) === 1 &&
      (await page.locator(`[data-testid="rep-drill-row"][data-id="${ours[1]}"]`).count()) === 0);
    await page.locator(`[data-testid="rep-hour-bar"] rect`).first().click(); // back to the hour's, for the next step
    await until('the hour drill-down is back', async () => (await page.locator(`[data-testid="rep-drill-row"][data-id="${ours[1]}"]`).count()) === 1);
  });

  await steps.run('a row opens its conversation in the desktop', async () => {
    await page.locator(`[data-testid="rep-drill-row"][data-id="${ours[1]}"] a`).click();
    await page.waitForURL(`**/desktop/c/${ours[1]}`);
  });

  await steps.run('the summary CSV downloads with a BOM and the same figures', async () => {
    await page.goto(`${base}/admin/reports`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('rep-hour-chart').waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rep-csv-summary').click()]);
    const body = readFileSync(await dl.path(), 'utf8');
    const r = await supAPI('GET', PATH.replace(`from=${today}`, `from=${await page.getByTestId('rep-from').inputValue()}`), undefined, 200);
    if (!body.startsWith('\uFEFFfigure,') || !body.includes(`\r\nconversations,${r.current.conversations},${r.previous.conversations}\r\n`)) {
      throw new Error(`summary CSV ${dl.suggestedFilename()}: ${JSON.stringify(body.slice(0, 200))}`);
    }
    const [kb] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rep-csv-knowledge_articles').click()]);
    const kbBody = readFileSync(await kb.path(), 'utf8');
    if (!kbBody.startsWith('\uFEFFarticle_id,title,conversations,reused,created\r\n') || !kbBody.includes(`${article},Report answer ${nonce},1,`)) {
      throw new Error(`knowledge CSV: ${JSON.stringify(kbBody.slice(0, 300))}`);
    }
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS reports`);
} catch (err) {
  console.error(`FAIL reports at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
