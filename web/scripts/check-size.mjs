// check-size fails the build when the JavaScript one page loads grows past the
// budget (300 KB gzip): index.html's module scripts and everything they preload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const files = [...html.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const f of new Set(files)) total += gzipSync(readFileSync(join(dist, f))).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (total > BUDGET) {
  console.error(`check-size: page JavaScript is ${kb(total)} gzip, over the ${kb(BUDGET)} budget`);
  process.exit(1);
}
console.log(`check-size: page JavaScript ${kb(total)} gzip of ${kb(BUDGET)} budget`);
