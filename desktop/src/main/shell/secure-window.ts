import type { BrowserWindowConstructorOptions, WebContents, WebPreferences } from 'electron';
import { blockNavigation } from './navigation.js';
import { denyWindowOpen } from './window-open.js';

/** What every MediSync window runs with; callers cannot weaken it. */
export const secureWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const satisfies WebPreferences;

export interface SecureWindowOptions {
  /** Absolute path of the bundled preload script. */
  preload: string;
  devTools: boolean;
  /** Size, kiosk mode, title…; any webPreferences here are overridden by the secure ones. */
  window?: BrowserWindowConstructorOptions;
}

export function secureWindowOptions(options: SecureWindowOptions): BrowserWindowConstructorOptions {
  const { webPreferences: requested, ...window } = options.window ?? {};
  return {
    show: false,
    backgroundColor: '#ffffff',
    ...window,
    webPreferences: {
      ...requested,
      preload: options.preload,
      devTools: options.devTools,
      ...secureWebPreferences,
    },
  };
}

/** Navigation and window-opening rules for any web contents the app creates. */
export function hardenWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  isAppUrl: (url: string) => boolean,
  onBlocked: (what: string, url: string) => void = () => undefined,
): void {
  blockNavigation(contents, isAppUrl, (url) => onBlocked('navigation', url));
  denyWindowOpen(contents, (url) => onBlocked('window.open', url));
}
