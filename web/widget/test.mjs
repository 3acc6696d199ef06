// Runs the widget's logic tests: Vite bundles *.test.ts for Node, node:test runs them.
//   node widget/test.mjs
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const here = import.meta.dirname;
const out = mkdtempSync(join(tmpdir(), 'widget-test-'));
const entries = readdirSync(here).filter((f) => f.endsWith('.test.ts')).map((f) => join(here, f));
try {
  await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: out,
      emptyOutDir: false,
      ssr: true, // a Node bundle: node: imports stay imports
      target: 'node20',
      minify: false,
      rollupOptions: { input: entries, output: { format: 'es', entryFileNames: '[name].mjs' } },
    },
  });
  for (const f of readdirSync(out).filter((f) => f.endsWith('.test.mjs'))) await import(pathToFileURL(join(out, f)).href);
} finally {
  process.on('exit', () => rmSync(out, { recursive: true, force: true }));
}
