import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { rendererViteConfig } from './scripts/renderer-vite-config.mjs';

export default defineConfig(rendererViteConfig({ root: fileURLToPath(new URL('.', import.meta.url)) }));
