import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const renderer = fileURLToPath(new URL('./src/renderer/', import.meta.url));

/**
 * The renderer, built once for both the Electron shell (served over app://)
 * and the browser (served by the sync server at /app/desktop/): relative
 * asset paths, no inline scripts, sources of workspace packages.
 */
export default defineConfig({
  root: renderer,
  base: './',
  plugins: [react()],
  resolve: { conditions: ['@medisync/source'] },
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
