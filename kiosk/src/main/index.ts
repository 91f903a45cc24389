import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { failStartup, startShell } from '@medisync/desktop/shell/main';

// Bundled to dist/main/index.js, beside dist/preload and dist/renderer.
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The lobby app: one fullscreen kiosk window with no menu, showing either the
 * self check-in or the waiting-room display (MEDISYNC_KIOSK_SCREEN). The same
 * hardened shell as the desktop, from @medisync/desktop's shell modules.
 */
startShell({
  app: 'kiosk',
  rendererRoot: path.join(dist, 'renderer'),
  preload: path.join(dist, 'preload', 'index.cjs'),
  page: (config) => (config.kioskScreen === 'display' ? 'display.html' : 'check-in.html'),
  // The check-in screen reads the QR code of a reminder (docs/architecture.md §9.6); never a microphone.
  camera: true,
  window: {
    kiosk: true,
    fullscreen: true,
    autoHideMenuBar: true,
    title: 'MediSync',
    // A lobby screen is rarely focused and must keep syncing and announcing calls regardless;
    // nobody touches the waiting-room display, so its call chime may not wait for a gesture.
    webPreferences: { backgroundThrottling: false, autoplayPolicy: 'no-user-gesture-required' },
  },
  lockDown: true,
  // eslint-disable-next-line no-console
  log: (message) => console.warn(`[medisync-kiosk] ${message}`),
}).catch(failStartup);
