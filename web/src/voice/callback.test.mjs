// Tests of the held-callback rules (./callback.ts) under node:test: which
// callbacks the agent holds, learnt from the feed, and what her callback call
// is doing. Vite bundles callback.ts for Node first, as logic.test.mjs does.
//   node src/voice/callback.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const out = mkdtempSync(join(tmpdir(), 'callback-test-'));
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
      input: { callback: join(import.meta.dirname, 'callback.ts') },
      output: { format: 'es', entryFileNames: '[name].mjs' },
    },
  },
});
const C = await import(pathToFileURL(join(out, 'callback.mjs')).href);

const assigned = (callbackID, n, agent = 'ana', reason = 'longest idle') => ({
  type: 'routing.assigned',
  data: { work_id: `${callbackID}.${n}`, callback_id: callbackID, agent_id: agent, kind: 'callback', reason },
});
const view = (id, attempts = [], state = 'in_progress') => ({
  id, persona_id: 'p', conversation_id: 'c', queue_id: 'q', phone: '+4930123', time_zone: 'UTC', state, outcome: '',
  not_before: '', not_after: '', created_at: '', updated_at: '',
  attempts: attempts.map((outcome) => ({ at: '', agent_id: 'ana', outcome, note: '' })),
});

test('attemptOf reads the attempt from a callback work id and refuses anything else', () => {
  assert.equal(C.attemptOf('cb1.2', 'cb1'), 2);
  assert.equal(C.attemptOf('cb1.0', 'cb1'), 0);
  assert.equal(C.attemptOf('cb1.x', 'cb1'), 0);
  assert.equal(C.attemptOf('cb10.1', 'cb1'), 0);
  assert.equal(C.attemptOf('conv-9', 'cb1'), 0);
});

test('the agent holds a callback once routing assigns its attempt to her, never another agent’s', () => {
  let held = C.heldAfter([], assigned('cb1', 1), 'ana');
  assert.deepEqual(held, [{ callbackID: 'cb1', attempt: 1, reason: 'longest idle' }]);
  held = C.heldAfter(held, assigned('cb2', 1, 'bob'), 'ana');
  assert.equal(held.length, 1, 'bob’s callback is not hers');
  held = C.heldAfter(held, { type: 'routing.assigned', data: { work_id: 'w1', conversation_id: 'c', agent_id: 'ana' } }, 'ana');
  assert.equal(held.length, 1, 'a conversation is not a callback');
  held = C.heldAfter(held, assigned('cb1', 2), 'ana');
  assert.deepEqual(held, [{ callbackID: 'cb1', attempt: 2, reason: 'longest idle' }], 'a later attempt replaces the earlier');
});

test('the hold ends when the held attempt is recorded or the callback closes, not before', () => {
  let held = C.heldAfter([], assigned('cb1', 2), 'ana');
  held = C.heldAfter(held, { type: 'callback.updated', data: view('cb1', ['no_answer']) }, 'ana');
  assert.equal(held.length, 1, 'the first attempt was someone else’s, earlier');
  held = C.heldAfter(held, { type: 'callback.updated', data: view('cb9', ['busy', 'busy']) }, 'ana');
  assert.equal(held.length, 1, 'another callback changes nothing');
  held = C.heldAfter(held, { type: 'callback.updated', data: view('cb1', ['no_answer', 'busy']) }, 'ana');
  assert.deepEqual(held, []);
  held = C.heldAfter(C.heldAfter([], assigned('cb3', 1), 'ana'), { type: 'callback.updated', data: view('cb3', [], 'expired') }, 'ana');
  assert.deepEqual(held, [], 'an expired callback is held by nobody');
});

test('mine lists the held callbacks of the list in the order routing gave them', () => {
  const held = [
    { callbackID: 'cb2', attempt: 1, reason: '' },
    { callbackID: 'cb1', attempt: 1, reason: '' },
    { callbackID: 'cb4', attempt: 1, reason: '' },
  ];
  const list = [view('cb1'), view('cb2'), view('cb3'), view('cb4', ['busy'])];
  assert.deepEqual(C.mine(list, held).map((x) => x.cb.id), ['cb2', 'cb1'], 'cb3 is not hers, cb4’s attempt is over');
  assert.deepEqual(C.upsert(list, view('cb3', ['busy'])).find((c) => c.id === 'cb3').attempts.length, 1);
  assert.equal(C.upsert(list, view('cb5')).length, 5);
});

test('a call rings once the agent’s leg connects, connects on an answered attempt, ends on the peer going away', () => {
  let s = C.dialNext(C.idle, { type: 'dial', callbackID: 'cb1', attempts: 1 });
  assert.equal(s.phase, 'connecting');
  s = C.dialNext(s, { type: 'answered' });
  s = C.dialNext(s, { type: 'pc', state: 'connecting' });
  assert.equal(s.phase, 'connecting');
  s = C.dialNext(s, { type: 'pc', state: 'connected' });
  assert.equal(s.phase, 'ringing');
  s = C.dialNext(s, { type: 'updated', view: view('cb1', ['no_answer']) });
  assert.equal(s.phase, 'ringing', 'the attempt recorded before this call is not news');
  s = C.dialNext(s, { type: 'updated', view: view('cb2', ['no_answer', 'answered']) });
  assert.equal(s.phase, 'ringing', 'another callback is not this call');
  s = C.dialNext(s, { type: 'updated', view: view('cb1', ['no_answer', 'answered'], 'done') });
  assert.equal(s.phase, 'connected');
  assert.equal(C.live(s), true);
  s = C.dialNext(s, { type: 'pc', state: 'disconnected' });
  assert.deepEqual([s.phase, s.reason], ['ended', 'lost']);
  assert.equal(C.dialNext(s, { type: 'pc', state: 'connected' }).phase, 'ended', 'nothing moves an ended call');
  assert.deepEqual(C.dialNext(s, { type: 'reset' }), C.idle);
});

test('an unanswered attempt ends the call with its outcome; a refused dial and a hang-up say so', () => {
  let s = C.dialNext(C.idle, { type: 'dial', callbackID: 'cb1', attempts: 0 });
  s = C.dialNext(s, { type: 'pc', state: 'connected' });
  s = C.dialNext(s, { type: 'updated', view: view('cb1', ['busy']) });
  assert.deepEqual([s.phase, s.reason], ['ended', 'busy']);

  s = C.dialNext(C.idle, { type: 'dial', callbackID: 'cb1', attempts: 0 });
  s = C.dialNext(s, { type: 'failed', detail: 'the callback is no longer yours' });
  assert.deepEqual([s.phase, s.reason, s.detail], ['ended', 'failed', 'the callback is no longer yours']);

  s = C.dialNext(C.idle, { type: 'dial', callbackID: 'cb1', attempts: 0 });
  const again = C.dialNext(s, { type: 'dial', callbackID: 'cb2', attempts: 0 });
  assert.equal(again.callbackID, 'cb1', 'one call at a time');
  assert.equal(C.dialNext(s, { type: 'reset' }).phase, 'connecting', 'a live call is not dismissed');
  s = C.dialNext(s, { type: 'hangup' });
  assert.deepEqual([s.phase, s.reason], ['ended', 'hangup']);
  assert.equal(C.dialNext(C.idle, { type: 'hangup' }), C.idle);
});
