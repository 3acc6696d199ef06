// Tests of the call client's pure parts and its state handling under node:test
// (no browser: calls whose media is not due never touch WebRTC). Vite bundles
// call.ts and desk.ts for Node first, as conversation/logic.test.mjs does.
//   node src/voice/logic.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const out = mkdtempSync(join(tmpdir(), 'voice-test-'));
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
      input: { call: join(import.meta.dirname, 'call.ts') },
      output: { format: 'es', entryFileNames: '[name].mjs' },
    },
  },
});
const C = await import(pathToFileURL(join(out, 'call.mjs')).href);

/** newCall is a call whose media never opens, with the frames it sends and the views it reported. */
function newCall(id = 'c1') {
  const sent = [];
  const views = [];
  const call = new C.Call(id, 'video', { send: (f) => (sent.push(f), true), onChange: (v) => views.push({ ...v }), mediaFrom: new Set() });
  return { call, sent, views };
}

test('the state follows the server: queued with its position, then connecting, active with a start time, held', () => {
  const { call, views } = newCall();
  call.handle({ type: 'call.state', call_id: 'c1', conversation_id: 'v1', state: 'queued', position: 3, initiator: 'customer' });
  assert.equal(call.view.state, 'queued');
  assert.equal(call.view.position, 3);
  assert.equal(call.view.conversationID, 'v1');
  assert.equal(call.view.initiator, 'customer');
  call.handle({ type: 'call.state', call_id: 'c1', state: 'connecting', agent_name: 'Ana' });
  assert.equal(call.view.position, 0);
  assert.equal(call.view.agentName, 'Ana');
  assert.equal(call.view.activeSince, 0);
  const before = Date.now();
  call.handle({ type: 'call.state', call_id: 'c1', state: 'active' });
  assert.ok(call.view.activeSince >= before);
  const since = call.view.activeSince;
  call.handle({ type: 'call.state', call_id: 'c1', state: 'held' });
  call.handle({ type: 'call.state', call_id: 'c1', state: 'active' });
  assert.equal(call.view.activeSince, since, 'the timer runs from the first answer, through hold');
  assert.deepEqual(views.map((v) => v.state), ['queued', 'connecting', 'active', 'held', 'active']);
  assert.equal(call.pc, undefined, 'no media was due');
});

test('the recording consent follows the server (ADR 0043): none, asked, refused', () => {
  const { call } = newCall();
  call.handle({ type: 'call.state', call_id: 'c1', state: 'active' });
  assert.equal(call.view.recording, '');
  call.handle({ type: 'call.state', call_id: 'c1', state: 'active', recording: 'asked' });
  assert.equal(call.view.recording, 'asked');
  call.handle({ type: 'call.state', call_id: 'c1', state: 'active', recording: 'refused' });
  assert.equal(call.view.recording, 'refused');
});

test('ended keeps its reason and who hung up, and nothing moves it again', () => {
  const { call, sent } = newCall();
  call.handle({ type: 'call.state', call_id: 'c1', state: 'active' });
  call.handle({ type: 'call.state', call_id: 'c1', state: 'ended', reason: 'hangup', hung_up_by: 'agent' });
  assert.equal(call.view.state, 'ended');
  assert.equal(call.view.reason, 'hangup');
  assert.equal(call.view.hungUpBy, 'agent');
  call.handle({ type: 'call.state', call_id: 'c1', state: 'active' });
  assert.equal(call.view.state, 'ended');
  call.hangup();
  assert.deepEqual(sent, [], 'an ended call sends no hang-up');
});

test("another call's frames are ignored; errors show without ending the call", () => {
  const { call } = newCall();
  call.handle({ type: 'call.state', call_id: 'c1', state: 'queued' });
  call.handle({ type: 'call.state', call_id: 'c2', state: 'ended', reason: 'hangup' });
  assert.equal(call.view.state, 'queued');
  call.handle({ type: 'call.error', call_id: 'c1', code: 'conflict', detail: 'a call is already live' });
  assert.equal(call.view.error, 'a call is already live');
  assert.equal(call.view.state, 'queued');
});

test('hangup sends call.hangup once and ends here; leave ends without a frame', () => {
  const a = newCall();
  a.call.handle({ type: 'call.state', call_id: 'c1', state: 'queued' });
  a.call.hangup();
  a.call.hangup();
  assert.deepEqual(a.sent, [{ type: 'call.hangup', call_id: 'c1' }]);
  assert.equal(a.call.view.state, 'ended');
  assert.equal(a.call.view.reason, 'hangup');
  const b = newCall();
  b.call.handle({ type: 'call.state', call_id: 'c1', state: 'active' });
  b.call.leave('hangup');
  assert.deepEqual(b.sent, []);
  assert.equal(b.call.view.state, 'ended');
});

test('isCallFrame knows call frames only', () => {
  assert.equal(C.isCallFrame({ type: 'call.state' }), true);
  assert.equal(C.isCallFrame({ type: 'message.created' }), false);
  assert.equal(C.isCallFrame(null), false);
  assert.equal(C.isCallFrame({ type: 7 }), false);
});

test('preferCodecs puts G.711 first (PCMU, then PCMA) and keeps every other codec', () => {
  const codecs = [{ mimeType: 'audio/opus' }, { mimeType: 'audio/PCMA' }, { mimeType: 'audio/G722' }, { mimeType: 'audio/PCMU' }];
  assert.deepEqual(C.preferCodecs(codecs, ['audio/pcmu', 'audio/pcma']).map((c) => c.mimeType), ['audio/PCMU', 'audio/PCMA', 'audio/opus', 'audio/G722']);
  assert.deepEqual(C.preferCodecs([{ mimeType: 'video/H264' }, { mimeType: 'video/VP8' }], ['video/vp8', 'video/h264']).map((c) => c.mimeType), ['video/VP8', 'video/H264']);
});

test('elapsed shows m:ss, then h:mm:ss', () => {
  assert.equal(C.elapsed(0), '0:00');
  assert.equal(C.elapsed(-5), '0:00');
  assert.equal(C.elapsed(65_400), '1:05');
  assert.equal(C.elapsed(3_600_000 + 62_000), '1:01:02');
});
