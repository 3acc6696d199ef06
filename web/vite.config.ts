import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
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

const PORTAL_BUDGET = 40 * 1024; // gzip: customers open the portal on phones, often from a text message

/** pageScripts lists the JavaScript files a built page loads (module scripts and preloads). */
function pageScripts(page: string): string[] {
  const html = readFileSync(resolve(import.meta.dirname, 'dist', page), 'utf8');
  return [...new Set([...html.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1]!))];
}

// The consumer portal is its own page (portal.html): this fails the build if
// it loads the agents' app or grows past its budget.
function portalSize(): Plugin {
  return {
    name: 'switchboard-portal-size',
    apply: 'build',
    closeBundle() {
      const portal = pageScripts('portal.html');
      const html = readFileSync(resolve(import.meta.dirname, 'dist/index.html'), 'utf8');
      const deskEntry = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((m) => m[1]!);
      if (deskEntry.some((f) => portal.includes(f))) throw new Error('check-size: portal.html loads the desktop bundle');
      const size = portal.reduce((n, f) => n + gzipSync(readFileSync(resolve(import.meta.dirname, 'dist', f))).length, 0);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      if (size > PORTAL_BUDGET) throw new Error(`check-size: portal JavaScript is ${kb(size)} gzip, over the ${kb(PORTAL_BUDGET)} budget`);
      console.log(`check-size: portal JavaScript ${kb(size)} gzip of ${kb(PORTAL_BUDGET)} budget`);
    },
  };
}

// In development /portal and its client-side routes are served portal.html,
// as the Go server does.
function portalPages(): Plugin {
  return {
    name: 'switchboard-portal-pages',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const path = (req.url ?? '').split('?')[0]!;
        if ((path === '/portal' || path.startsWith('/portal/')) && !path.startsWith('/portal/api/')) req.url = '/portal.html';
        next();
      });
    },
  };
}

// The dev server forwards the API (and the realtime WebSocket) to a running
// `switchboard serve`; override the target with SWITCHBOARD_API.
const api = process.env.SWITCHBOARD_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [preact(), keepGitkeep(), portalPages(), portalSize()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        portal: resolve(import.meta.dirname, 'portal.html'),
        operator: resolve(import.meta.dirname, 'operator.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false, ws: true },
      '/portal/api': { target: api, changeOrigin: false },
      '/n/': { target: api, changeOrigin: false },
      '/u/': { target: api, changeOrigin: false },
    },
  },
});
