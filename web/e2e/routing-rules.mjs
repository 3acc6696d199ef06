#!/usr/bin/env node
// Routing rules in the admin (ADR 0053), against a running demo center.
//
// The admin writes a rule on Admin → Routing rules: conversations whose
// subject contains "hola" go to agents with spanish ≥ 4 for ten minutes,
// then to anyone. A skill name the API refuses is shown under its step; the
// saved rule lists its steps and the keyboard lands on its Edit button. The
// script prints "READY rule" and the Go test has a visitor say the text; the
// conversation's customer panel and the wall then show it waiting in step 1
// of 2, "spanish ≥ 4". A second rule moves above the first with Up; a queue's
// default steps are set and cleared on Admin → Queues. axe finds nothing
// serious in light or dark.
//
//   node web/e2e/routing-rules.mjs --base URL --text "first line of the chat" \
//     [--tenant northwind] [--password switchboard-demo] [--timeout 15000] [--headed]
//
// It ends with "PASS routing-rules".
import { parseArgs } from 'node:util';
import { api, axe, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    text: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base || !opts.text) {
  console.error('routing-rules: --base and --text are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const RULE = 'Spanish speakers';

let browser;
const findings = [];
async function accessible(p, what) {
  for (const f of await axe(p)) findings.push(`${what}: ${f}`);
}

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, { base, tenant: opts.tenant, email: 'admin@northwind.example', password: opts.password, timeout });
  const p = watcher.watch(admin.page, 'admin');
  const call = (method, path, body, want) => api(admin.ctx.request, base, method, path, body, want);

  await steps.run('the admin writes a rule; a refused skill shows under its step', async () => {
    await p.goto(`${base}/admin/routing-rules`, { waitUntil: 'domcontentloaded' });
    await p.getByTestId('rrules-page').waitFor();
    await p.getByTestId('rrule-new').click();
    const form = p.getByTestId('rrule-form');
    await form.waitFor();
    const focused = await p.evaluate(() => document.activeElement?.id);
    if (focused !== 'rrule-name') throw new Error(`the form opened with the keyboard in ${focused}, want the name`);
    await p.getByTestId('rrule-name').fill(RULE);
    await p.getByTestId('rrule-attr-0-0').selectOption('subject');
    await p.getByTestId('rrule-op-0-0').selectOption('contains');
    await p.getByTestId('rrule-value-0-0').fill('hola');
    await p.getByTestId('rrule-step-skill-0-0').fill('Spanish!');
    await p.getByTestId('rrule-step-level-0-0').selectOption('4');
    await p.getByTestId('rrule-step-expiry-0').fill('600');
    await accessible(p, 'rule form');
    await p.getByTestId('rrule-save').click();
    const stepError = p.locator('[data-testid=rrule-step][data-index="0"] .field-error');
    await stepError.waitFor();
    if (!(await stepError.textContent()).includes('Spanish!')) throw new Error(`step 1's error: ${await stepError.textContent()}`);
    await p.getByTestId('rrule-error').getByText('steps[0].skills').waitFor();
  });

  await steps.run('corrected, the rule is saved and listed with its steps', async () => {
    await p.getByTestId('rrule-step-skill-0-0').fill('spanish');
    await p.getByTestId('rrule-save').click();
    const row = p.locator(`[data-testid=rrule-row][data-name="${RULE}"]`);
    await row.getByTestId('rrule-steps').getByText('spanish ≥ 4 for 600 s').waitFor();
    await row.getByTestId('rrule-steps').getByText('any queue member for ever').waitFor();
    await p.getByTestId('rrule-form').waitFor({ state: 'detached' });
    const focus = await p.evaluate(() => [document.activeElement?.dataset.testid, document.activeElement?.closest('[data-testid=rrule-row]')?.dataset.name]);
    if (focus[0] !== 'rrule-edit' || focus[1] !== RULE) throw new Error(`after saving the keyboard is on ${focus}, want the rule's Edit`);
    const rules = (await call('GET', '/api/v1/routing-rules', undefined, 200)).items;
    const r = rules.find((x) => x.name === RULE);
    if (!r || JSON.stringify(r.match) !== '[[{"attribute":"subject","op":"contains","value":"hola"}]]' || r.steps[0].skills.spanish !== 4 || r.steps[0].expiry_seconds !== 600) {
      throw new Error(`stored rule is not what the form said: ${JSON.stringify(r)}`);
    }
    await accessible(p, 'routing rules');
  });

  console.log('READY rule');
  let id = '';
  await steps.run('the visitor\'s chat arrives and the rule gives it its steps', async () => {
    for (let i = 0; i < 80 && !id; i++) {
      const list = await call('GET', '/api/v1/conversations?channel=webchat&limit=50', undefined, 200);
      id = list.items.find((c) => c.subject === opts.text)?.id ?? '';
      if (!id) await sleep(250);
    }
    if (!id) throw new Error(`no chat "${opts.text}"`);
    console.log(`    conversation ${id}`);
  });

  await steps.run('its customer panel shows step 1 of 2: spanish ≥ 4', async () => {
    await p.goto(`${base}/desktop/c/${id}`, { waitUntil: 'domcontentloaded' });
    const c = p.getByTestId('routing-criteria');
    await c.waitFor();
    const [step, text] = [await c.getAttribute('data-step'), await c.textContent()];
    if (step !== '1' || !text.includes('Step 1 of 2: spanish ≥ 4') || !text.includes('its own steps')) throw new Error(`customer panel: step ${step}, "${text}"`);
  });

  await steps.run('the wall shows it waiting in step 1 of 2 with the time left', async () => {
    await p.goto(`${base}/wall`, { waitUntil: 'domcontentloaded' });
    const row = p.locator(`[data-testid=wall-step][data-conversation="${id}"]`);
    await row.waitFor();
    const text = await row.textContent();
    if ((await row.getAttribute('data-step')) !== '1' || !text.includes('Step 1 of 2: spanish ≥ 4') || !/ends in (9|10):\d\d/.test(text)) {
      throw new Error(`wall: "${text}"`);
    }
    await accessible(p, 'wall with steps');
  });

  await steps.run('steps that name an agent show the agent by name, not by id', async () => {
    const me = await call('GET', '/api/v1/me', undefined, 200);
    const user = me.user ?? me;
    await call('PUT', `/api/v1/conversations/${id}/routing-criteria`, { steps: [{ agents: [user.id], expiry_seconds: 600 }, {}] }, 200);
    await p.goto(`${base}/desktop/c/${id}`, { waitUntil: 'domcontentloaded' });
    const c = p.getByTestId('routing-criteria');
    await c.getByText(`agents ${user.name}`).waitFor();
    const text = await c.textContent();
    if (text.includes(user.id)) throw new Error(`customer panel names the agent by id: "${text}"`);
  });

  await steps.run('a second rule moves above the first with Up, and is deleted', async () => {
    await call('POST', '/api/v1/routing-rules', { name: 'Urgent first', position: 1000, match: [[{ attribute: 'priority', op: 'at_least', value: '3' }]], steps: [{}] }, 201);
    await p.goto(`${base}/admin/routing-rules`, { waitUntil: 'domcontentloaded' });
    const second = p.locator('[data-testid=rrule-row][data-name="Urgent first"]');
    await second.getByTestId('rrule-up').click();
    await p.locator('[data-testid=rrule-row]').first().and(second).waitFor();
    const names = (await call('GET', '/api/v1/routing-rules', undefined, 200)).items.map((r) => r.name);
    if (names.join() !== `Urgent first,${RULE}`) throw new Error(`rules in the order ${names}`);
    await second.getByTestId('rrule-delete').click();
    await p.getByTestId('confirm-ok').click();
    await second.waitFor({ state: 'detached' });
    await p.emulateMedia({ colorScheme: 'dark' });
    await accessible(p, 'routing rules (dark)');
    await p.emulateMedia({ colorScheme: 'light' });
  });

  await steps.run('a queue\'s default steps are set and cleared on Admin → Queues', async () => {
    await p.goto(`${base}/admin/queues`, { waitUntil: 'domcontentloaded' });
    const row = p.locator('[data-testid=queue-row][data-name="Cards"]');
    const cards = async () => (await call('GET', '/api/v1/queues', undefined, 200)).items.find((q) => q.name === 'Cards');
    await row.getByTestId('queue-edit').click();
    await p.getByTestId('queue-step-add').click();
    await p.getByTestId('queue-step-skill-0-0').fill('billing');
    await p.getByTestId('queue-step-level-0-0').selectOption('2');
    await accessible(p, 'queue form with steps');
    await p.getByTestId('queue-save').click();
    await p.getByTestId('queue-form').waitFor({ state: 'detached' });
    let q = await cards();
    if (JSON.stringify(q.criteria) !== '[{"skills":{"billing":2}}]') throw new Error(`Cards' criteria: ${JSON.stringify(q.criteria)}`);
    await row.getByTestId('queue-edit').click();
    await p.getByTestId('queue-step-remove-0').click();
    await p.getByTestId('queue-save').click();
    await p.getByTestId('queue-form').waitFor({ state: 'detached' });
    q = await cards();
    if (q.criteria?.length) throw new Error(`Cards' criteria after clearing: ${JSON.stringify(q.criteria)}`);
  });

  if (findings.length) throw new Error(`axe-core found serious or critical violations:\n  ${findings.join('\n  ')}`);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log('PASS routing-rules');
} catch (err) {
  console.error(`FAIL routing-rules at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
