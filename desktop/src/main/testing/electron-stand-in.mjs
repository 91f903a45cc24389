// A stand-in `electron` module for running a bundled main process under plain
// Node (see bundle.test.ts). It records what main asks for and prints one JSON
// line per window when the window loads its page, then exits.
import { tmpdir } from 'node:os';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const listeners = {};
const noop = () => undefined;
const fakeSession = {
  webRequest: { onHeadersReceived: noop },
  protocol: { handle: (scheme) => report({ protocol: scheme }) },
  setPermissionRequestHandler: noop,
  setPermissionCheckHandler: noop,
  setDevicePermissionHandler: noop,
  setDisplayMediaRequestHandler: noop,
};

function report(entry) {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}

export const app = {
  isPackaged: false,
  on: (event, listener) => ((listeners[event] ??= []).push(listener), app),
  whenReady: async () => undefined,
  requestSingleInstanceLock: () => true,
  enableSandbox: () => report({ sandbox: true }),
  getPath: () => process.env.MEDISYNC_STAND_IN_USER_DATA ?? tmpdir(),
  quit: () => process.exit(0),
  exit: (code) => process.exit(code),
};
export const protocol = { registerSchemesAsPrivileged: (schemes) => report({ schemes }) };
export const session = { defaultSession: fakeSession };
export const ipcMain = { handle: (channel) => report({ ipc: channel }), removeHandler: noop };
export const Menu = { setApplicationMenu: (menu) => report({ menu }) };
export const safeStorage = {
  isEncryptionAvailable: () => false,
  getSelectedStorageBackend: () => 'basic_text',
  encryptString: () => {
    throw new Error('unavailable');
  },
  decryptString: () => {
    throw new Error('unavailable');
  },
};
export class BrowserWindow {
  constructor(options) {
    this.options = options;
  }
  once() {}
  on() {}
  show() {}
  async loadURL(url) {
    report({ window: this.options, url });
    setTimeout(() => process.exit(0), 10);
  }
}
export default { app, protocol, session, ipcMain, Menu, safeStorage, BrowserWindow };
