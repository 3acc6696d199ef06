import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

// The Go binary embeds dist/ and the repository keeps dist/.gitkeep so that the
// embed pattern always matches; Vite empties dist/ before each build, so put it back.
function keepGitkeep(): Plugin {
  return {
    name: 'switchboard-keep-gitkeep',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(import.meta.dirname, 'dist/.gitkeep'), '');
    },
  };
}

// The dev server forwards the API (and the realtime WebSocket) to a running
// `switchboard serve`; override the target with SWITCHBOARD_API.
const api = process.env.SWITCHBOARD_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [preact(), keepGitkeep()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false, ws: true },
    },
  },
});
