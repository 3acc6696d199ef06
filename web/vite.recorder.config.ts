import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The widget's video message recorder, dist/widget/recorder.js: a classic
// script of its own that the widget loads on demand (web/widget/recorder.ts),
// outside the widget's 15 KB budget. Built after the widget; keeps dist/.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/widget',
    emptyOutDir: false,
    target: 'es2020',
    lib: {
      entry: resolve(import.meta.dirname, 'widget/recorder.ts'),
      formats: ['iife'],
      name: 'SwitchboardRecorder',
      fileName: () => 'recorder.js',
    },
  },
});
