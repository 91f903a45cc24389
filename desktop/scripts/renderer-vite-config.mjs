import react from '@vitejs/plugin-react';
import process from 'node:process';
import { join } from 'node:path';

/** The sync server's routes, proxied by `npm run dev` so the page talks to it as if it served the page. */
const PROXIED = ['/auth', '/devices', '/admin', '/sync', '/tickets', '/attention', '/kiosk', '/socket.io'];

/**
 * The Vite config of an app's renderer, built once for both the Electron shell
 * (served over app://) and the browser (served by the sync server at /app/<app>/):
 * relative asset paths, no inline scripts, sources of workspace packages.
 */
export function rendererViteConfig({ root, pages }) {
  const renderer = join(root, 'src/renderer/');
  const server = process.env.MEDISYNC_SERVER_URL ?? 'http://127.0.0.1:4000';
  return {
    root: renderer,
    base: './',
    plugins: [react()],
    resolve: { conditions: ['@medisync/source'] },
    server: {
      host: '127.0.0.1',
      proxy: Object.fromEntries(PROXIED.map((path) => [path, { target: server, ws: path === '/socket.io' }])),
    },
    build: {
      outDir: join(root, 'dist/renderer/'),
      emptyOutDir: true,
      target: 'chrome128',
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
      // React, RxDB, zod and socket.io in one chunk: loaded from disk or the LAN, never the internet.
      chunkSizeWarningLimit: 1500,
      sourcemap: true,
      ...(pages
        ? { rolldownOptions: { input: Object.fromEntries(pages.map((page) => [page, `${renderer}${page}.html`])) } }
        : {}),
    },
  };
}
