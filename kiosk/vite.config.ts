import { rendererViteConfig } from '@medisync/desktop/shell/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Both lobby pages in one build; a waiting-room TV opens display.html from the sync server. */
export default defineConfig(
  rendererViteConfig({
    root: fileURLToPath(new URL('.', import.meta.url)),
    pages: ['index', 'check-in', 'display'],
  }),
);
