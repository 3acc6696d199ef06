// Tests of the conversation view's pure rules (logic.ts) under node:test. Vite
// bundles logic.ts for Node first, as widget/test.mjs does for the widget.
//   node src/conversation/logic.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const out = mkdtempSync(join(tmpdir(), 'conversation-test-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: out,
    ssr: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { logic: join(import.meta.dirname, 'logic.ts'), newest: join(import.meta.dirname, '..', 'newest.ts'), social: join(import.meta.dirname, 'social.ts') },
      output: { format: 'es', entryFileNames: '[name].mjs' },
    },
  },
});
const L = await import(pathToFileURL(join(out, 'logic.mjs')).href);
const N = await import(pathToFileURL(join(out, 'newest.mjs')).href);
const S = await import(pathToFileURL(join(out, 'social.mjs')).href);

test('a social network\'s channel says whether a message is public or private; others say neither', () => {
  assert.equal(S.visibilityOf('mastodon'), 'public');
  assert.equal(S.visibilityOf('mastodon_direct'), 'private');
  assert.equal(S.visibilityOf('sms'), null);
  assert.equal(S.visibilityOf('webchat'), null);
  assert.equal(S.visibilityOf('whatsapp_direct'), null); // not a public network: no "private" to contrast
  assert.equal(S.networkOf('mastodon_direct'), 'Mastodon');
});

test('of two fetches out at once, only the newest answer is applied, whichever lands last', () => {
  const ticket = N.newest();
  const first = ticket();
  const second = ticket();
  assert.equal(second(), true);
  assert.equal(first(), false); // the older answer, landing after, is dropped
  const third = ticket();
  assert.equal(second(), false);
  assert.equal(third(), true);
  assert.equal(N.newest()()(), true); // each view counts its own
});

const T0 = Date.parse('2026-11-25T12:00:00Z');
const at = (min) => new Date(T0 + min * 60_000).toISOString();
const clock = (o) => ({ target: 'first_response', policy_id: 'p', state: 'running', breached: false, started_at: at(-10), ...o });

test('nextSla picks the live clock due soonest and grades it', () => {
  const clocks = [
    clock({ target: 'resolution', due_at: at(120), warn_at: at(100) }),
    clock({ due_at: at(5), warn_at: at(3) }),
    clock({ target: 'next_response', state: 'met', due_at: at(1) }),
  ];
  const v = L.nextSla(clocks, T0);
  assert.equal(v.clock.target, 'first_response');
  assert.equal(v.remainingMs, 5 * 60_000);
  assert.equal(v.level, 'ok');
  assert.equal(L.nextSla(clocks, T0 + 4 * 60_000).level, 'warning');
  assert.equal(L.nextSla(clocks, T0 + 6 * 60_000).level, 'breached');
  assert.equal(L.nextSla([clock({ state: 'warned', due_at: at(30) })], T0).level, 'warning');
  assert.equal(L.nextSla([clock({ state: 'stopped', due_at: at(30) })], T0), null);
  assert.equal(L.nextSla([], T0), null);
});

test('formatRemaining shows hours and minutes, or minutes and seconds, signed', () => {
  assert.equal(L.formatRemaining(3_845_000), '1h 04m');
  assert.equal(L.formatRemaining(249_000), '4m 09s');
  assert.equal(L.formatRemaining(-130_000), '-2m 10s');
});

const ch = (name, identifier, extra = {}) => ({
  name,
  capabilities: { realtime: false, threading: false, attachments: true, typing: false, read_receipts: false, max_length: 0, identifier, ...extra },
});
const channels = [ch('api', ''), ch('email', 'email'), ch('sms', 'phone', { max_length: 1600 }), ch('webchat', 'widget')];

test('replyChannels offers only channels the persona can be reached on, used ones first', () => {
  const persona = { identifiers: [{ kind: 'email', value: 'a@b.c', verified: true }, { kind: 'widget', value: 'v1', verified: false }] };
  assert.deepEqual(L.replyChannels(channels, persona, ['webchat']).map((c) => c.name), ['webchat', 'api', 'email']);
  assert.deepEqual(L.replyChannels(channels, null, []).map((c) => c.name), ['api']);
  const withPhone = { identifiers: [...persona.identifiers, { kind: 'phone', value: '+351912345678', verified: false }] };
  assert.ok(L.replyChannels(channels, withPhone, ['email']).some((c) => c.name === 'sms'));
});

const msg = (id, o = {}) => ({
  id, tenant_id: 't', conversation_id: 'c', kind: 'message', direction: 'in', channel: 'webchat', author_type: 'persona',
  author_id: 'p', body: id, attachments: [], status: 'received', created_at: at(0), updated_at: at(0), ...o,
});

test('defaultReplyChannel follows where the customer last wrote', () => {
  const list = [msg('1', { channel: 'email' }), msg('2', { channel: 'sms' }), msg('3', { direction: 'out', channel: 'email' })];
  assert.equal(L.defaultReplyChannel(list, 'webchat'), 'sms');
  assert.equal(L.defaultReplyChannel([], 'webchat'), 'webchat');
  assert.equal(L.latestInbound(list).id, '2');
  assert.equal(L.latestInbound([msg('n', { kind: 'note' })]), undefined);
});

test('upsertMessage replaces, confirms optimistic copies once, and keeps time order', () => {
  let list = [msg('a', { created_at: at(1) }), msg('c', { created_at: at(3) })];
  list = L.upsertMessage(list, msg('b', { created_at: at(2) }));
  assert.deepEqual(list.map((m) => m.id), ['a', 'b', 'c']);
  list = L.upsertMessage(list, msg('b', { created_at: at(2), status: 'read' }));
  assert.equal(list.length, 3);
  assert.equal(list[1].status, 'read');

  const pending = `${L.PENDING}k1`;
  list = L.upsertMessage(list, msg(pending, { created_at: at(4), status: 'queued' }));
  // The live event for the real message can beat the POST's answer.
  list = L.upsertMessage(list, msg('d', { created_at: at(4), status: 'queued' }));
  list = L.upsertMessage(list, msg('d', { created_at: at(4), status: 'sent' }), pending);
  assert.deepEqual(list.map((m) => m.id), ['a', 'b', 'c', 'd']);
  assert.equal(list[3].status, 'sent');
});

test('triggerAt finds mentions in notes and canned shortcuts at a line start', () => {
  assert.deepEqual(L.triggerAt('hi @an', 6, true), { kind: 'mention', query: 'an', start: 3 });
  assert.equal(L.triggerAt('hi @an', 6, false), null);
  assert.equal(L.triggerAt('mail a@b', 8, true), null);
  assert.deepEqual(L.triggerAt('/ref', 4, false), { kind: 'canned', query: 'ref', start: 0 });
  assert.deepEqual(L.triggerAt('line\n/re', 8, false), { kind: 'canned', query: 're', start: 5 });
  assert.equal(L.triggerAt('and/or', 6, false), null);
  assert.equal(L.triggerAt('x /ref', 6, false), null);
  assert.deepEqual(L.replaceTrigger('hi @an!', 6, 3, '@ana@x.example '), { text: 'hi @ana@x.example !', caret: 18 });
});

test('damageNotes and originalURL read the marker and the download from meta, nothing else', () => {
  const m = msg('m1', { meta: { damaged: ['attachment report.pdf truncated', 3, ''], original_id: 'a1' } });
  assert.deepEqual(L.damageNotes(m), ['attachment report.pdf truncated']);
  assert.equal(L.originalURL(m), '/api/v1/messages/m1/original');
  assert.deepEqual(L.damageNotes(msg('m2', { meta: { damaged: 'x' } })), []);
  assert.equal(L.originalURL(msg('m3', {})), '');
});

test('quotedText and localTime read what they can and nothing else', () => {
  assert.equal(L.quotedText(msg('q', { meta: { quoted: '> earlier' } })), '> earlier');
  assert.equal(L.quotedText(msg('q', { meta: { quoted: 3 } })), '');
  assert.equal(L.quotedText(msg('q')), '');
  assert.match(L.localTime('Europe/Lisbon', new Date(T0), 'en'), /12:00/);
  assert.equal(L.localTime('Not/AZone', new Date(T0), 'en'), '');
  assert.equal(L.localTime('', new Date(T0), 'en'), '');
});

test('identifierProof says how an identifier was proven, and marks claims', () => {
  const id = (o) => ({ kind: 'email', value: 'kim@example.com', verified: false, ...o });
  assert.deepEqual(L.identifierProof(id({ verified: true, verified_by: 'widget_signed_user' })), { state: 'verified', key: 'cust.proof.widget_signed_user' });
  assert.deepEqual(L.identifierProof(id({ verified: true, verified_by: 'mail_from_mailbox' })), { state: 'verified', key: 'cust.proof.mail_from_mailbox' });
  assert.deepEqual(L.identifierProof(id({ verified: true })), { state: 'verified', key: 'cust.proof.verified' });
  assert.deepEqual(L.identifierProof(id({ verified: true, verified_by: 'made_up' })), { state: 'verified', key: 'cust.proof.verified' });
  assert.equal(L.identifierProof(id({ verified_by: 'unverified_form' })).state, 'claimed');
  assert.equal(L.identifierProof(id({}), true).state, 'claimed');
  assert.equal(L.identifierProof(id({ verified: true, verified_by: 'agent_entered' }), true).state, 'claimed');
  assert.deepEqual(L.identifierProof(id({ kind: 'widget' })), { state: 'unverified', key: 'cust.proof.unverified' });
});

test('unresolvedVariables names each variable once where it first sits, skipping escaped ones and other braces', () => {
  const text = 'Thanks {{customer.first_name}}, {{ customer.first_name }} \\{{agent.name}} {{ two words }} {{x}}';
  assert.deepEqual(L.unresolvedVariables(text), [
    { name: 'customer.first_name', start: 7, end: 30 },
    { name: 'x', start: text.length - 5, end: text.length },
  ]);
  assert.deepEqual(L.unresolvedVariables('plain {{ not closed'), []);
});
