// Tests of the knowledge pages' pure rules (logic.ts) and of the desktop keys
// the knowledge panel answers (shortcuts.ts), under node:test. Vite bundles
// them for Node first, as conversation/logic.test.mjs does.
//   node src/knowledge/logic.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const out = mkdtempSync(join(tmpdir(), 'knowledge-test-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  // shortcuts.ts reaches preact through the router: bundle it in, the temp dir has no node_modules.
  ssr: { noExternal: true },
  build: {
    outDir: out,
    ssr: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { logic: join(import.meta.dirname, 'logic.ts'), shortcuts: join(import.meta.dirname, '..', 'desktop', 'shortcuts.ts') },
      output: { format: 'es', entryFileNames: '[name].mjs' },
    },
  },
});
const L = await import(pathToFileURL(join(out, 'logic.mjs')).href);
const S = await import(pathToFileURL(join(out, 'shortcuts.mjs')).href);

const STATES = ['wip', 'not_validated', 'validated', 'published', 'archived'];

test('a writer moves work between in progress and not validated, and nothing else', () => {
  const allowed = [];
  for (const from of STATES) for (const to of STATES) if (L.mayMove(from, to, false)) allowed.push(`${from}>${to}`);
  assert.deepEqual(allowed, ['wip>not_validated', 'not_validated>wip']);
  assert.deepEqual(L.movesFor('wip', false), ['not_validated']);
  assert.deepEqual(L.movesFor('published', false), []);
});

test('a publisher makes every move internal/knowledge.Move allows', () => {
  // The table of knowledge.go's moves; a move not in it is refused to everyone.
  const want = {
    wip: ['not_validated', 'validated', 'published', 'archived'],
    not_validated: ['wip', 'validated', 'published', 'archived'],
    validated: ['wip', 'not_validated', 'published', 'archived'],
    published: ['wip', 'validated', 'archived'],
    archived: ['wip', 'published'],
  };
  for (const from of STATES) assert.deepEqual(L.movesFor(from, true), want[from], from);
  assert.equal(L.mayMove('published', 'not_validated', true), false);
  assert.equal(L.mayMove('wip', 'wip', true), false);
});

test('anyone edits work in progress, publishers the validated and published, nobody the archived', () => {
  assert.deepEqual(STATES.map((s) => L.mayEdit(s, false)), [true, true, false, false, false]);
  assert.deepEqual(STATES.map((s) => L.mayEdit(s, true)), [true, true, true, true, false]);
});

test('admins and supervisors always publish; others when /me says so', () => {
  assert.equal(L.isPublisher({ role: 'admin' }), true);
  assert.equal(L.isPublisher({ role: 'supervisor' }), true);
  assert.equal(L.isPublisher({ role: 'agent' }), false);
  assert.equal(L.isPublisher({ role: 'agent', knowledge_publisher: true }), true);
});

test('a draft fills the KCS fields and keeps the defaults for the rest', () => {
  const c = L.fromDraft({ title: 'Card blocked abroad', issue: 'My card does not work in Spain', environment: '', cause: '', resolution: 'Unblock it in the app', locale: 'es', queue_ids: ['q1'], source_conversation_id: 'c1' });
  assert.equal(c.issue, 'My card does not work in Spain');
  assert.equal(c.resolution, 'Unblock it in the app');
  assert.equal(c.locale, 'es');
  assert.equal(c.audience, 'agents');
  assert.deepEqual(c.queue_ids, ['q1']);
  assert.deepEqual(c.tags, []);
  assert.equal(L.sameContent(c, { ...c }), true);
  assert.equal(L.sameContent(c, { ...c, tags: ['x'] }), false);
});

test('an inserted resolution reads as plain text', () => {
  assert.equal(L.resolutionText('## Steps\n1. Open **Cards**\n2. Tap `Unblock`\nSee [help](https://x.example/a)\n'),
    'Steps\n1. Open Cards\n2. Tap Unblock\nSee help (https://x.example/a)');
});

test('l links and i inserts, and g then i still opens the inbox', () => {
  assert.equal(S.actionFor('l', false, false), 'kb-link');
  assert.equal(S.actionFor('i', false, false), 'kb-insert');
  assert.equal(S.actionFor('i', true, false), 'inbox');
  for (const k of ['j', 'k', '/', 'a', 'd', 'e', '?']) assert.notEqual(S.actionFor(k, false, false), 'kb-link');
});
