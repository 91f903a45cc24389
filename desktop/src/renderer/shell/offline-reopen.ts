import { Workbox } from 'workbox-window';

let registered = false;

/**
 * Lets a page the sync server serves reopen without it: registers the
 * service worker the web build generates beside its pages (`sw.js`, Workbox
 * through vite-plugin-pwa), which keeps the build's own files and nothing
 * else, so a reload with the network or the server down opens the page on its
 * local replica. Called for web pages only (see `getPlatform`): Electron
 * loads the same files from disk over app://. Where the browser allows no
 * service worker (plain http to a host other than localhost) it does nothing.
 *
 * An update never swaps code under a page in use: a new version found during
 * a session installs and waits. A page that starts and finds one already
 * waiting activates it and reloads once, before anyone has begun to use it,
 * so an update applies on the next reload.
 */
export function registerOfflineReopen(): void {
  if (registered || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  registered = true;
  const workbox = new Workbox('./sw.js', { scope: './' });
  workbox.addEventListener('waiting', (event) => {
    if (!event.wasWaitingBeforeRegister) return;
    workbox.addEventListener('controlling', () => window.location.reload());
    workbox.messageSkipWaiting();
  });
  // Without a worker the page still works, online only.
  workbox.register({ immediate: true }).catch(() => undefined);
}
