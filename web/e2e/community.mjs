#!/usr/bin/env node
// The knowledge community (issue 14), against a running demo center with a
// second workspace.
//
// Northwind's admin opts in under Admin → Community and ticks "Share with
// the community" on a published customer article. The other workspace's
// admin opts in, finds the practice in the Community catalogue, adopts it:
// the copy opens as work in progress with the attribution line; she edits
// its title, saves and publishes it. Northwind's Admin → Community counts
// one adoption. The catalogue passes axe.
//
//   node web/e2e/community.mjs --base URL --other SLUG --other-email E --other-password P
//        [--tenant northwind] [--password switchboard-demo] [--timeout 15000] [--headed]
//
// It uses an installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and
// exits non-zero with a message naming the failed step; it ends with "PASS community".
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    other: { type: 'string' },
    'other-email': { type: 'string' },
    'other-password': { type: 'string' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base || !opts.other || !opts['other-email'] || !opts['other-password']) {
  console.error('community: --base, --other, --other-email and --other-password are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const nonce = randomUUID().slice(0, 8);
let browser;

async function main() {
  browser = await launch(opts.headed);
  const north = await signedIn(browser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
  const acme = await signedIn(browser, { base, tenant: opts.other, email: opts['other-email'], password: opts['other-password'], timeout });
  watcher.watch(north.page, 'northwind');
  watcher.watch(acme.page, 'acme');
  const asNorth = (m, p, b, w) => api(north.ctx.request, base, m, p, b, w);
  const asAcme = (m, p, b, w) => api(acme.ctx.request, base, m, p, b, w);
  const title = `Swallowed card ${nonce}`;

  await steps.run('Northwind opts in under Admin → Community', async () => {
    const p = north.page;
    await p.goto(`${base}/admin/community`, { waitUntil: 'domcontentloaded' });
    await p.getByTestId('community-status').and(p.locator('[data-member="false"]')).waitFor();
    await p.getByTestId('community-name').fill('Northwind Bank');
    await p.getByTestId('community-join').click();
    await p.locator('[data-testid="community-status"][data-member="true"]').waitFor();
  });

  let articleId;
  await steps.run('a publisher shares a published customer article from its page', async () => {
    const a = await asNorth('POST', '/api/v1/knowledge/articles', { title, issue: 'The ATM kept my card.',
      resolution: 'Block the card in the app and order a new one.', audience: 'customers', locale: 'en' }, 201);
    articleId = a.id;
    await asNorth('POST', `/api/v1/knowledge/articles/${a.id}/state`, { state: 'published' }, 200);
    const p = north.page;
    await p.goto(`${base}/knowledge/a/${a.id}`, { waitUntil: 'domcontentloaded' });
    const toggle = p.getByTestId('community-share-toggle');
    await toggle.and(p.locator('[data-shared="false"]')).waitFor();
    await toggle.check();
    await p.locator('[data-testid="community-share-toggle"][data-shared="true"]').waitFor();
  });

  let copyId;
  await steps.run('the other workspace opts in, finds the practice and adopts it', async () => {
    await asAcme('PUT', '/api/v1/community', { display_name: `Acme ${nonce}` }, 200);
    const p = acme.page;
    await p.goto(`${base}/community`, { waitUntil: 'domcontentloaded' });
    await p.getByTestId('community-search').fill(nonce);
    await p.getByRole('button', { name: 'Search' }).click();
    const card = p.locator(`[data-testid="community-practice"][data-title="${title}"]`);
    await card.waitFor();
    if (!(await card.innerText()).includes('Northwind Bank')) throw new Error('the practice does not name its sharer');
    await card.getByTestId('community-open').click();
    await card.getByText('Block the card in the app').waitFor();
    const violations = await axe(p);
    if (violations.length) throw new Error(`axe on the catalogue:\n${violations.join('\n')}`);
    await card.getByTestId('community-adopt').click();
    await p.waitForURL(/\/knowledge\/a\/[^/?]+/);
    copyId = new URL(p.url()).pathname.split('/').pop();
    await p.locator('[data-testid="kb-article-page"][data-state="wip"]').waitFor();
    await p.getByTestId('kb-preview').getByText("Adapted from Northwind Bank's practice").waitFor();
  });

  await steps.run('she adapts the copy and publishes it', async () => {
    const p = acme.page;
    await p.getByTestId('kb-field-title').fill(`${title} (Acme)`);
    await p.getByTestId('kb-save').click();
    await p.locator('[data-testid="kb-article-page"][data-version="2"]').waitFor();
    await p.getByTestId('kb-move-published').click();
    await p.locator('[data-testid="kb-article-page"][data-state="published"]').waitFor();
    const got = await asAcme('GET', `/api/v1/knowledge/articles/${copyId}`, undefined, 200);
    if (got.title !== `${title} (Acme)` || !got.resolution.includes('Adapted from Northwind Bank')) {
      throw new Error(`the published copy: ${JSON.stringify(got)}`);
    }
    const origin = await asAcme('GET', `/api/v1/community/adoptions?article_id=${copyId}`, undefined, 200);
    if (origin.items.length !== 1 || origin.items[0].origin_name !== 'Northwind Bank') throw new Error(`origin: ${JSON.stringify(origin)}`);
  });

  await steps.run("Northwind's Admin → Community counts the adoption", async () => {
    const p = north.page;
    await p.goto(`${base}/admin/community`, { waitUntil: 'domcontentloaded' });
    await p.locator('[data-testid="community-share"][data-adoptions="1"]').getByText(title).waitFor();
    const mine = await asNorth('GET', `/api/v1/community/shared/${articleId}`, undefined, 200);
    if (mine.adoptions !== 1) throw new Error(`share: ${JSON.stringify(mine)}`);
  });

  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
  if (watcher.consoleErrors.length) throw new Error(`console errors and refused requests:\n  ${watcher.consoleErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS community`);
} catch (err) {
  console.error(`FAIL community at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
