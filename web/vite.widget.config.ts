import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// The embeddable chat widget: one classic script, dist/widget/widget.js, that a
// business's page loads with a single tag. It is built after the app (whose
// build empties dist/) and must not empty dist/ itself: public/widget/demo.html,
// the page that embeds the demo widget, is already there.

const BUDGET = 15 * 1024; // gzip: the widget loads on every page of someone else's site

// widgetSize prints the widget's gzipped size and fails the build past the budget.
function widgetSize(): Plugin {
  return {
    name: 'switchboard-widget-size',
    apply: 'build',
    closeBundle() {
      const size = gzipSync(readFileSync(resolve(import.meta.dirname, 'dist/widget/widget.js'))).length;
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      if (size > BUDGET) throw new Error(`check-size: widget.js is ${kb(size)} gzip, over the ${kb(BUDGET)} budget`);
      console.log(`check-size: widget.js ${kb(size)} gzip of ${kb(BUDGET)} budget`);
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [widgetSize()],
  build: {
    outDir: 'dist/widget',
    emptyOutDir: false,
    target: 'es2020',
    lib: {
      entry: resolve(import.meta.dirname, 'widget/main.ts'),
      formats: ['iife'],
      name: 'SwitchboardWidget',
      fileName: () => 'widget.js',
    },
  },
});
