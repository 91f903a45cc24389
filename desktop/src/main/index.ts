import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { failStartup, startShell } from './shell/index.js';

// Bundled to dist/main/index.js, beside dist/preload and dist/renderer.
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

startShell({
  app: 'desktop',
  rendererRoot: path.join(dist, 'renderer'),
  preload: path.join(dist, 'preload', 'index.cjs'),
  page: () => 'index.html',
  window: { width: 1280, height: 800, minWidth: 960, minHeight: 600, title: 'MediSync' },
  // eslint-disable-next-line no-console
  log: (message) => console.warn(`[medisync] ${message}`),
}).catch(failStartup);
