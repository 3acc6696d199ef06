#!/usr/bin/env node
// Social listening in the desktop (issue 17), against a running demo center
// that listens on a Mastodon instance (the Go test runs one and publishes a
// post matching the workspace's rule before this script starts).
//
// The admin sees the rule in Admin → Listening. The post is a conversation
// with the rule's priority (urgent) in its queue, its SLA clock running as a
// chat's; the timeline marks the post public. Ana answers publicly — the
// composer says the reply is public and asks first; cancelling sends nothing,
// confirming posts it — then privately (no question asked); the timeline
// marks each reply public or private.
//
//   node web/e2e/listening.mjs --base URL --text "post text" --rule "rule name" \
//     [--tenant northwind] [--password switchboard-demo] [--timeout 15000] [--headed]
//
// It ends with "PASS listening".
import { parseArgs } from 'node:util';
import { api, launch, signedIn, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    text: { type: 'string' },
    rule: { type: 'string' },
    tenant: { type: 'string', default: 'northwind' },
    password: { type: 'string', default: 'switchboard-demo' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base || !opts.text || !opts.rule) {
  console.error('listening: --base, --text and --rule are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const as = (email) => ({ base, tenant: opts.tenant, email, password: opts.password, timeout });
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let browser;

async function main() {
  browser = await launch(opts.headed);
  const admin = await signedIn(browser, as('admin@northwind.example'));
  const adminPage = watcher.watch(admin.page, 'admin');
  await steps.run('the admin sees the rule in Admin → Listening', async () => {
    await adminPage.goto(`${base}/admin/listening`, { waitUntil: 'domcontentloaded' });
    await adminPage.locator(`[data-testid="rule-row"][data-name="${opts.rule}"]`).waitFor();
  });

  const ana = await signedIn(browser, as('ana@northwind.example'));
  const desk = watcher.watch(ana.page, 'ana');
  const call = (method, path, body, want) => api(ana.ctx.request, base, method, path, body, want);
  let id = '';
  await steps.run('the matching post is a conversation, urgent, in the rule\'s queue', async () => {
    for (let i = 0; i < 80 && !id; i++) {
      const list = await call('GET', '/api/v1/conversations?channel=mastodon&limit=50', undefined, 200);
      id = list.items.find((c) => c.subject.startsWith(opts.text.slice(0, 40)))?.id ?? '';
      if (!id) await sleep(250);
    }
    if (!id) throw new Error(`no mastodon conversation for "${opts.text}"`);
    const c = await call('GET', `/api/v1/conversations/${id}`, undefined, 200);
    if (c.priority !== 3 || c.team !== 'Support') throw new Error(`conversation filed with priority ${c.priority}, team ${c.team}`);
    console.log(`    conversation ${id}`);
  });

  const composer = desk.getByTestId('composer');
  const input = composer.getByTestId('composer-input');
  await steps.run('the desktop shows the post as public, with its priority and a running SLA clock', async () => {
    await desk.goto(`${base}/desktop/c/${id}`, { waitUntil: 'domcontentloaded' });
    const post = desk.locator('[data-testid="timeline-item"][data-direction="in"]', { hasText: opts.text.slice(0, 30) });
    await post.waitFor();
    await post.locator('[data-testid="message-visibility"][data-visibility="public"]').waitFor();
    const prio = await desk.getByTestId('priority-select').inputValue();
    if (prio !== '3') throw new Error(`the priority shows ${prio}, want 3 (urgent)`);
    const sla = desk.getByTestId('sla-clock');
    await sla.waitFor();
    const level = await sla.getAttribute('data-level');
    if (!['ok', 'warning'].includes(level)) throw new Error(`the SLA clock is ${level}, want it running`);
  });

  const publicText = 'We are sorry about your card: our team is looking into it.';
  await steps.run('a public reply is announced, asked about, and not sent on Cancel', async () => {
    const channel = await composer.getByTestId('composer-channel').inputValue();
    if (channel !== 'mastodon') throw new Error(`the composer answers on ${channel}, want mastodon`);
    await composer.locator('[data-testid="composer-visibility"][data-visibility="public"]').waitFor();
    await input.fill(publicText);
    await composer.getByTestId('composer-send').click();
    const dialog = desk.getByTestId('confirm-dialog');
    await dialog.waitFor();
    if (!(await dialog.textContent()).includes('publicly')) throw new Error('the question does not say the reply is public');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    const outs = (await call('GET', `/api/v1/conversations/${id}/messages?limit=50`, undefined, 200)).items.filter((m) => m.direction === 'out');
    if (outs.length) throw new Error('a reply went out although Ana cancelled');
  });

  await steps.run('confirmed, the reply goes out in public and the timeline says so', async () => {
    await composer.getByTestId('composer-send').click();
    await desk.getByTestId('confirm-ok').click();
    const out = desk.locator('[data-testid="timeline-item"][data-direction="out"]:not([data-id^="pending-"])', { hasText: publicText });
    await out.locator('[data-testid="message-visibility"][data-visibility="public"]').waitFor();
  });

  const privateText = 'Could you send us the last four digits of the card, here in private?';
  await steps.run('Ana moves to a private message: no question, the timeline marks it private', async () => {
    await composer.getByTestId('composer-channel').selectOption('mastodon_direct');
    await composer.locator('[data-testid="composer-visibility"][data-visibility="private"]').waitFor();
    await input.fill(privateText);
    await composer.getByTestId('composer-send').click();
    const out = desk.locator('[data-testid="timeline-item"][data-direction="out"]:not([data-id^="pending-"])', { hasText: privateText });
    await out.locator('[data-testid="message-visibility"][data-visibility="private"]').waitFor();
    if (await desk.getByTestId('confirm-dialog').count()) throw new Error('a private message was asked about as if public');
  });

  await steps.run('both replies are delivered', async () => {
    for (let i = 0; i < 80; i++) {
      const outs = (await call('GET', `/api/v1/conversations/${id}/messages?limit=50`, undefined, 200)).items.filter((m) => m.direction === 'out');
      if (outs.length === 2 && outs.every((m) => m.status === 'sent' || m.status === 'delivered')) return;
      await sleep(250);
    }
    throw new Error('the replies were not both sent');
  });
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log('PASS listening');
} catch (err) {
  console.error(`FAIL listening at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
