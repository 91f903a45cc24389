import react from '@vitejs/plugin-react';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const renderer = fileURLToPath(new URL('./src/renderer/', import.meta.url));

/**
 * The renderer, built once for both the Electron shell (served over app://)
 * and the browser (served by the sync server at /app/desktop/): relative
 * asset paths, no inline scripts, sources of workspace packages.
 */
/** `npm run dev`: the sync server's routes are proxied, so the page talks to it as if it served the page. */
const server = process.env.MEDISYNC_SERVER_URL ?? 'http://127.0.0.1:4000';
const proxied = ['/auth', '/devices', '/admin', '/sync', '/tickets', '/attention', '/kiosk', '/socket.io'];

export default defineConfig({
  root: renderer,
  base: './',
  plugins: [react()],
  resolve: { conditions: ['@medisync/source'] },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: server, ws: path === '/socket.io' }])),
  },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer/', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome128',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // React, RxDB, zod and socket.io in one chunk: loaded from disk or the LAN, never the internet.
    chunkSizeWarningLimit: 1500,
    sourcemap: true,
  },
});
