#!/usr/bin/env node
// A stranger joins a center (issue 12, "Creating a workspace" and "Inviting
// people"), in Chromium against a center run with --signup open and its mail
// relay pointed at a test SMTP sink:
//
//  1. At /signup they name their business and give their email; the page says
//     a link is on its way. The link is read from the mail the center sent.
//  2. Following it, they choose their password and land in the set-up wizard,
//     signed in as the new workspace's admin. The wizard walks them through a
//     chat widget (its snippet shown), a queue, an agent invitation (mailed)
//     and a test conversation, which opens on the desktop. Coming back to
//     /setup shows it finished: the progress is remembered.
//  3. The invited agent follows the mailed invitation in another browser,
//     chooses a password and is signed in as an agent.
//  4. The agent sets up a second factor at /account: the secret shown is
//     turned into a code here (RFC 6238, with node's crypto), recovery codes
//     appear; signed out, signing in again asks for the code, and a code
//     computed from the secret lets them in.
//  5. The admin signs the agent out everywhere from Admin → People; the
//     agent's next page load is the sign-in form.
//
//   node web/e2e/join.mjs --base URL --mailbox URL [--timeout 15000] [--headed]
//
// --mailbox is the test's window on the SMTP sink: GET URL?to=ADDRESS answers
// the mails to ADDRESS so far, as JSON. Ends with "PASS join".
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { launch, noCSPViolations, Steps, Watcher } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    mailbox: { type: 'string' },
    timeout: { type: 'string', default: '15000' },
    headed: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!opts.base || !opts.mailbox) {
  console.error('join: --base and --mailbox are required');
  process.exit(2);
}
const base = opts.base.replace(/\/+$/, '');
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);
const watcher = new Watcher();
const adminEmail = 'ada@acme.example';
const agentEmail = 'sam@acme.example';
const adminPassword = 'acme admin password';
const agentPassword = 'sam the agent password';

let browser;

/** linkIn waits for a mail to `to` (the newest) and returns the link to path in it. */
async function linkIn(to, path) {
  const re = new RegExp(`https?://\\S+${path.replace(/\//g, '\\/')}\\?token=\\S+`);
  for (let i = 0; i < timeout / 100; i++) {
    const res = await fetch(`${opts.mailbox}?to=${encodeURIComponent(to)}`);
    const mails = await res.json();
    const text = mails.length ? mails[mails.length - 1].text : '';
    const m = text.match(re);
    if (m) return m[0];
    if (text) throw new Error(`no ${path} link in the mail to ${to}:\n${text}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`no mail to ${to}`);
}

/** totp is RFC 6238's code (SHA-1, 6 digits, 30 s) of a base32 secret at time ms. */
function totp(secret, ms) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

async function main() {
  browser = await launch(opts.headed);
  const adminCtx = await browser.newContext();
  const admin = watcher.watch(await adminCtx.newPage(), 'admin');
  admin.setDefaultTimeout(timeout);

  await steps.run('a stranger asks for a workspace at /signup', async () => {
    await admin.goto(`${base}/login`);
    await admin.getByTestId('login-signup').click();
    await admin.getByTestId('signup-form').waitFor();
    await admin.getByLabel('Organisation name').fill('Acme Support');
    const slug = await admin.getByLabel('Workspace address').inputValue();
    if (slug !== 'acme-support') throw new Error(`the address suggested for "Acme Support" is "${slug}"`);
    await admin.getByLabel('Your email').fill(adminEmail);
    await admin.getByTestId('signup-submit').click();
    await admin.getByTestId('signup-sent').filter({ hasText: adminEmail }).waitFor();
  });

  await steps.run('the mailed link makes the workspace once the admin chooses a password', async () => {
    const link = await linkIn(adminEmail, '/signup/verify');
    if (!link.startsWith(base)) throw new Error(`the link ${link} is not on ${base}`);
    await admin.goto(link);
    await admin.getByTestId('signup-verify-intro').filter({ hasText: 'acme-support' }).waitFor();
    await admin.getByLabel('Your name').fill('Ada Lovelace');
    await admin.getByLabel('New password', { exact: true }).fill(adminPassword);
    await admin.getByLabel('Repeat new password').fill(adminPassword);
    await admin.getByTestId('signup-verify-submit').click();
    await admin.getByTestId('setup-page').waitFor();
    await admin.getByTestId('tenant-name').filter({ hasText: 'Acme Support' }).waitFor();
    if (new URL(admin.url()).search.includes('token')) throw new Error('the spent token stayed in the address bar');
  });

  await steps.run('the wizard: a chat widget, with its snippet', async () => {
    await admin.getByTestId('setup-widget').click();
    const snippet = await admin.getByTestId('setup-snippet').innerText();
    if (!/data-switchboard-widget="wk_/.test(snippet)) throw new Error(`snippet: ${snippet}`);
    await admin.getByTestId('setup-next').click();
    await admin.locator('[data-testid="setup-step-channel"][data-done="true"]').waitFor();
  });

  await steps.run('the wizard: a queue', async () => {
    await admin.getByTestId('setup-queue-create').click();
    await admin.locator('[data-testid="setup-step-queue"][data-done="true"]').waitFor();
  });

  await steps.run('the wizard: an agent invitation, mailed', async () => {
    await admin.getByLabel('Email').fill(agentEmail);
    await admin.getByLabel('Name (optional)').fill('Sam Vimes');
    await admin.getByTestId('invite-submit').click();
    await admin.getByTestId('invite-sent').filter({ hasText: agentEmail }).waitFor();
    await admin.getByTestId('setup-next').click();
    await admin.locator('[data-testid="setup-step-invite"][data-done="true"]').waitFor();
  });

  await steps.run('the wizard: a test conversation, opened on the desktop', async () => {
    await admin.getByTestId('setup-test').click();
    await admin.getByTestId('setup-finished').waitFor();
    await admin.getByTestId('setup-open').click();
    await admin.getByText('This is a test conversation from the set-up wizard').first().waitFor();
  });

  await steps.run('the wizard remembers its progress', async () => {
    await admin.goto(`${base}/setup`);
    await admin.getByTestId('setup-finished').waitFor();
    for (const s of ['channel', 'queue', 'invite', 'conversation']) {
      await admin.locator(`[data-testid="setup-step-${s}"][data-done="true"]`).waitFor();
    }
  });

  const agentCtx = await browser.newContext();
  const agent = watcher.watch(await agentCtx.newPage(), 'agent');
  agent.setDefaultTimeout(timeout);

  await steps.run('the invited agent joins with the mailed link', async () => {
    const link = await linkIn(agentEmail, '/invitation');
    await agent.goto(link);
    await agent.getByTestId('invitation-intro').filter({ hasText: 'Acme Support' }).waitFor();
    await agent.getByLabel('New password', { exact: true }).fill(agentPassword);
    await agent.getByLabel('Repeat new password').fill(agentPassword);
    await agent.getByTestId('invitation-submit').click();
    await agent.getByTestId('user-role').filter({ hasText: 'Agent' }).waitFor();
    await agent.getByTestId('user-name').filter({ hasText: 'Sam Vimes' }).waitFor();
  });

  await steps.run('the admin sees the invitation accepted (no longer pending)', async () => {
    await admin.goto(`${base}/admin/people`);
    await admin.getByTestId('people-page').waitFor();
    await admin.getByText('No pending invitations.').waitFor();
  });

  let secret = '';
  await steps.run('the agent sets up a second factor', async () => {
    await agent.getByTestId('nav-account').click();
    await agent.getByTestId('totp-start').click();
    secret = (await agent.getByTestId('totp-secret').innerText()).trim();
    await agent.getByLabel('The code the app shows').fill(totp(secret, Date.now()));
    await agent.getByTestId('totp-confirm').click();
    await agent.locator('[data-testid="recovery-codes"] li').first().waitFor();
    const codes = await agent.locator('[data-testid="recovery-codes"] li').count();
    if (codes !== 10) throw new Error(`${codes} recovery codes shown, want 10`);
  });

  await steps.run('signing in again asks for the code, and the code lets the agent in', async () => {
    await agent.getByTestId('logout').click();
    await agent.getByTestId('login-form').waitFor();
    await agent.getByLabel('Workspace').fill('acme-support');
    await agent.getByLabel('Email').fill(agentEmail);
    await agent.getByLabel('Password').fill(agentPassword);
    await agent.getByTestId('login-submit').click();
    const code = agent.getByLabel('Code from your authenticator app');
    await code.waitFor();
    // The next step's code: the one of this step was spent confirming, and a
    // code is accepted once; the server takes one step of drift.
    await code.fill(totp(secret, Date.now() + 30_000));
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('user-role').filter({ hasText: 'Agent' }).waitFor();
  });

  await steps.run('the admin signs the agent out everywhere; the agent is signed out at once', async () => {
    await admin.goto(`${base}/admin/people`);
    const row = admin.getByTestId('team').locator('tr', { hasText: agentEmail });
    await row.getByRole('button', { name: 'Sign out everywhere' }).click();
    await admin.getByText('Sam Vimes is signed out everywhere.').waitFor();
    await agent.reload();
    await agent.getByTestId('login-form').waitFor();
  });

  noCSPViolations(watcher);
  if (watcher.serverErrors.length) throw new Error(`server errors:\n  ${watcher.serverErrors.join('\n  ')}`);
}

try {
  await main();
  console.log(`[${steps.elapsed()}] PASS join`);
} catch (err) {
  console.error(`FAIL join at step "${steps.current}": ${err.message}`);
  if (watcher.consoleErrors.length) console.error(`console and 4xx:\n  ${watcher.consoleErrors.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
