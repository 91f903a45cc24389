import type { AppName, MedisyncApi } from '../../../common/api.js';
import { registerOfflineReopen } from '../offline-reopen.js';
import { electronPlatform } from './index.electron.js';
import { webPlatform } from './index.web.js';
import type { Platform } from './platform.js';

export type { Platform } from './platform.js';

declare global {
  interface Window {
    /** Present only inside the Electron shell (see src/preload). */
    medisync?: MedisyncApi;
  }
}

/**
 * Picks the platform at run time: one renderer build serves both the Electron
 * shell and the browser, and only the shell's preload defines `window.medisync`.
 * Nothing imports a variant directly. Every page calls this as it starts, so in
 * a browser it also registers the service worker that lets the page reopen
 * offline; Electron loads the app from disk and needs none.
 */
export function getPlatform(app: AppName): Platform {
  if (window.medisync) return electronPlatform(window.medisync);
  registerOfflineReopen();
  return webPlatform(app);
}
