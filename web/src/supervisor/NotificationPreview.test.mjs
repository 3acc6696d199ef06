// Tests of the notification template preview (NotificationPreview.tsx) under
// node:test, against what Go's text/template with missingkey=error does. Vite
// bundles the module for Node first, as the other *.test.mjs do.
//   node src/supervisor/NotificationPreview.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const out = mkdtempSync(join(tmpdir(), 'preview-test-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: out,
    emptyOutDir: true,
    ssr: true,
    target: 'node20',
    minify: false,
    rollupOptions: { input: join(import.meta.dirname, 'NotificationPreview.tsx'), output: { format: 'es', entryFileNames: 'preview.mjs' } },
  },
});
const P = await import(pathToFileURL(join(out, 'preview.mjs')).href);

test('variables are filled from the data, nested ones too', () => {
  assert.equal(P.renderTemplate('Hi {{.name}}, {{ .order.id }} ships', { name: 'Ana', order: { id: 'A1' } }), 'Hi Ana, A1 ships');
});

test('a missing variable is an error naming it, as missingkey=error is on the server', () => {
  assert.throws(() => P.renderTemplate('{{.amount}}', {}), /^Error: line 1: \{\{\.amount\}\} has no value: the sample data has no "amount"$/);
  assert.throws(() => P.renderTemplate('Hi\n\n{{.order.id}}', { order: {} }), /^Error: line 3: \{\{\.order\.id\}\} has no value: the sample data has no "id"$/);
  assert.throws(() => P.renderTemplate('{{.order.id}}', { order: 'x' }), /\{\{\.order\.id\}\} cannot be filled in: \.order is a string/);
});

test('numbers print as Go prints a float64', () => {
  const cases = [[0, '0'], [42, '42'], [12.5, '12.5'], [123456, '123456'], [1000000, '1e+06'], [1234567, '1.234567e+06'], [0.0001, '0.0001'], [0.00001, '1e-05'], [-2500000, '-2.5e+06'], [1e21, '1e+21']];
  for (const [n, want] of cases) assert.equal(P.goFloat(n), want, String(n));
  assert.equal(P.renderTemplate('{{.n}} {{.b}} {{.z}} {{.l}} {{.m}}', { n: 1e6, b: true, z: null, l: [1, 'a'], m: { b: 2, a: 1 } }), '1e+06 true <no value> [1 a] map[a:1 b:2]');
});

test('if, else if, else, with and range', () => {
  const tpl = '{{if .vip}}VIP{{else if .new}}new{{else}}plain{{end}}';
  assert.equal(P.renderTemplate(tpl, { vip: true, new: false }), 'VIP');
  assert.equal(P.renderTemplate(tpl, { vip: 0, new: 'y' }), 'new');
  assert.equal(P.renderTemplate(tpl, { vip: '', new: [] }), 'plain');
  assert.equal(P.renderTemplate('{{with .o}}#{{.id}}{{else}}none{{end}}', { o: { id: 7 } }), '#7');
  assert.equal(P.renderTemplate('{{with .o}}#{{.id}}{{else}}none{{end}}', { o: {} }), 'none');
  assert.equal(P.renderTemplate('{{range .items}}[{{.}}]{{end}}', { items: ['a', 'b'] }), '[a][b]');
  assert.equal(P.renderTemplate('{{range .items}}x{{else}}empty{{end}}', { items: [] }), 'empty');
});

test('trim markers and comments', () => {
  assert.equal(P.renderTemplate('a  {{- .x -}}  b{{/* note */}}', { x: '-' }), 'a-b');
});

test('what it cannot read is reported, not guessed', () => {
  assert.throws(() => P.renderTemplate('{{printf "%d" .n}}', { n: 1 }), /cannot show/);
  assert.throws(() => P.renderTemplate('a\n{{.x', {}), /^Error: line 2: a "\{\{" has no closing "\}\}"$/);
  assert.throws(() => P.renderTemplate('{{if .x}}a', { x: 1 }), /line 1: an \{\{if\}\}, \{\{with\}\} or \{\{range\}\} has no \{\{end\}\}/);
  assert.throws(() => P.renderTemplate('a{{end}}', {}), /line 1: an \{\{end\}\} closes nothing/);
});

test('errors speak as the server does: a variable without its dot, an empty action', () => {
  // The same sentences as internal/notice/explain.go, so the preview and a refused save agree.
  assert.throws(() => P.renderTemplate('Hello {{amount}}', {}), /^Error: line 1: \{\{amount\}\} is not a variable: write \{\{\.amount\}\}, with a dot, to use the event's "amount"$/);
  assert.throws(() => P.renderTemplate('Hi {{}}', {}), /line 1: an empty \{\{ \}\}/);
});

test('renderParts falls back to the body for the short text and names the failing part', () => {
  const r = P.renderParts({ subject: 'S {{.a}}', body: 'B {{.b}}' }, { b: 'x' });
  assert.equal(r.body, 'B x');
  assert.equal(r.short, 'B x');
  assert.deepEqual(r.errors, ['Subject, line 1: {{.a}} has no value: the sample data has no "a"']);
  const bad = P.renderParts({ body: '{{.x}}' }, {});
  assert.deepEqual(bad.errors, ['Body, line 1: {{.x}} has no value: the sample data has no "x"'], 'an empty short is the body, not a second error');
  assert.equal(P.renderParts({ body: 'long', short: 'S {{.b}}' }, { b: 1 }).short, 'S 1');
});

test('templateVariables lists the top-level names read', () => {
  assert.deepEqual(P.templateVariables('{{.a}} {{if .b}}{{.a}}{{.c.d}}{{end}} {{- range .e}}{{.f}}{{end}}'), ['a', 'b', 'c', 'e', 'f']);
});
