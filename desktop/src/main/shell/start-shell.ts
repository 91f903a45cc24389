import path from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  session,
  type BrowserWindowConstructorOptions,
} from 'electron';
import type { AppName } from '../../common/api.js';
import { appOrigin, appSchemePrivileges, APP_SCHEME, createAppRequestHandler, isAppUrl } from './app-protocol.js';
import { loadMainConfig } from './config.js';
import { applyContentSecurityPolicy, contentSecurityPolicy } from './csp.js';
import { appFrameOnly, IpcRouter } from './ipc-router.js';
import { openKeychain } from './keychain.js';
import { medisyncApiHandlers, routeMedisyncApi } from './medisync-api.js';
import { denyAllPermissions } from './permissions.js';
import { hardenWebContents, secureWindowOptions } from './secure-window.js';

export interface ShellOptions {
  app: AppName;
  /** Absolute path of the built renderer folder, served at `app://<app>/`. */
  rendererRoot: string;
  /** Absolute path of the bundled preload script. */
  preload: string;
  /** The page to open, given the configuration (a kiosk picks check-in or display). */
  page: (config: ReturnType<typeof loadMainConfig>['shell']) => string;
  window?: BrowserWindowConstructorOptions;
  /** Kiosk lock-down: no application menu. Fullscreen and `kiosk` come with `window`. */
  lockDown?: boolean;
  /** The app's own pages may use a camera (video only): the kiosk reads reminders' QR codes. */
  camera?: boolean;
  env?: Record<string, string | undefined>;
  log?: (message: string) => void;
}

/**
 * Everything the Electron main process does, for either app: the app scheme,
 * permissions, CSP, the IPC router and one hardened window. Apps call this
 * with their own page and window options; nothing else belongs in main.
 */
export async function startShell(options: ShellOptions): Promise<BrowserWindow | null> {
  const log = options.log ?? (() => undefined);
  const config = loadMainConfig(options.app, options.env ?? process.env, app.isPackaged);
  const host = options.app;
  const ownUrl = (url: string) => isAppUrl(url, host);

  // One instance per machine: a second one would share (and fight over) the local replica.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, ownUrl, (what, url) => log(`blocked ${what} to ${url}`)),
  );
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();
  const ses = session.defaultSession;
  const csp = contentSecurityPolicy(config.shell.serverUrl);
  denyAllPermissions(
    ses,
    (permission) => log(`denied permission ${permission}`),
    options.camera ? { cameraFor: host } : {},
  );
  applyContentSecurityPolicy(ses, csp);
  ses.protocol.handle(
    APP_SCHEME,
    createAppRequestHandler({ host, root: options.rendererRoot, contentSecurityPolicy: csp }),
  );

  const keychain = await openKeychain({
    safeStorage,
    file: path.join(app.getPath('userData'), 'keychain.json'),
    warn: log,
  });
  const router = new IpcRouter({
    ipcMain,
    isTrustedSender: appFrameOnly(ownUrl),
    onRefused: (channel, reason) => log(`refused IPC ${channel}: ${reason}`),
  });
  routeMedisyncApi(router, medisyncApiHandlers(config.shell, keychain, log));
  app.on('will-quit', () => router.close());

  if (options.lockDown) Menu.setApplicationMenu(null);
  const window = new BrowserWindow(
    secureWindowOptions({ preload: options.preload, devTools: config.devTools, window: options.window }),
  );
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${appOrigin(host)}/${options.page(config.shell)}`);
  return window;
}

/** Ends the process with a clear message (e.g. a bad MEDISYNC_SERVER_URL) instead of an unhandled rejection. */
export function failStartup(error: unknown): void {
  // eslint-disable-next-line no-console
  console.error(`MediSync could not start: ${error instanceof Error ? error.message : String(error)}`);
  app.exit(1);
}
