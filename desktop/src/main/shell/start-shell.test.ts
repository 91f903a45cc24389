import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipcChannels } from '../../common/ipc.js';
import { FakeIpcMain, FakeSafeStorage, FakeSession, FakeWebContents, topFrame } from '../testing/fake-electron.js';

const userData = await mkdtemp(path.join(tmpdir(), 'medisync-shell-'));
afterAll(() => rm(userData, { recursive: true, force: true }));

const electron = vi.hoisted(() => ({ current: null as unknown as ReturnType<typeof makeElectron> }));

function makeElectron() {
  const appEvents = new EventEmitter();
  const windows: { options: Record<string, unknown>; url: string | null }[] = [];
  const session = new FakeSession();
  const ipcMain = new FakeIpcMain();
  const menus: unknown[] = [];
  const schemes: unknown[] = [];
  class BrowserWindow extends EventEmitter {
    record: { options: Record<string, unknown>; url: string | null };
    constructor(options: Record<string, unknown>) {
      super();
      this.record = { options, url: null };
      windows.push(this.record);
    }
    async loadURL(url: string) {
      this.record.url = url;
    }
    show() {}
  }
  return {
    windows,
    session,
    ipcMain,
    menus,
    schemes,
    appEvents,
    module: {
      app: {
        isPackaged: false,
        on: (event: string, listener: (...args: unknown[]) => void) => appEvents.on(event, listener),
        whenReady: async () => undefined,
        requestSingleInstanceLock: () => true,
        enableSandbox: () => undefined,
        quit: () => undefined,
        exit: () => undefined,
        getPath: () => userData,
      },
      BrowserWindow,
      ipcMain,
      Menu: { setApplicationMenu: (menu: unknown) => menus.push(menu) },
      protocol: { registerSchemesAsPrivileged: (list: unknown[]) => schemes.push(...list) },
      safeStorage: new FakeSafeStorage(),
      session: { defaultSession: session },
    },
  };
}

vi.mock('electron', () => {
  electron.current = makeElectron();
  return { ...electron.current.module, default: electron.current.module };
});

const { startShell } = await import('./start-shell.js');

describe('startShell', () => {
  beforeEach(() => {
    electron.current.windows.length = 0;
  });

  it('opens one locked-down window on the app scheme with every guard installed', async () => {
    await startShell({
      app: 'kiosk',
      rendererRoot: '/srv/kiosk',
      preload: '/srv/preload/index.cjs',
      page: (config) => `${config.kioskScreen}.html`,
      window: { kiosk: true, webPreferences: { sandbox: false, nodeIntegration: true, contextIsolation: false } },
      lockDown: true,
      env: { MEDISYNC_SERVER_URL: 'http://10.0.0.5:4000', MEDISYNC_KIOSK_SCREEN: 'display' },
    });
    const { windows, session, ipcMain, menus, schemes, appEvents } = electron.current;

    expect(windows).toHaveLength(1);
    const window = windows[0]!;
    expect(window.url).toBe('app://kiosk/display.html');
    expect(window.options).toMatchObject({
      kiosk: true,
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        devTools: false,
        preload: '/srv/preload/index.cjs',
      },
    });
    expect(menus).toEqual([null]);
    expect(schemes).toMatchObject([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    expect(session.protocolHandlers.has('app')).toBe(true);

    // CSP names the configured server for HTTP and WebSocket.
    const headers = session.receive('app://kiosk/display.html', {});
    expect(String(headers?.['Content-Security-Policy'])).toContain(
      "connect-src 'self' http://10.0.0.5:4000 ws://10.0.0.5:4000",
    );

    // Permissions are denied.
    let granted: boolean | undefined;
    session.permissionRequestHandler?.({}, 'media', (answer) => (granted = answer));
    expect(granted).toBe(false);

    // Every web contents the app creates gets the navigation and window.open guards.
    const contents = new FakeWebContents();
    appEvents.emit('web-contents-created', {}, contents);
    expect(contents.navigate('https://evil.example/')).toBe(false);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });

    // IPC answers the kiosk's own page only.
    await expect(ipcMain.invoke(ipcChannels.getConfig, topFrame('app://kiosk/display.html'))).resolves.toMatchObject({
      app: 'kiosk',
      kioskScreen: 'display',
    });
    await expect(ipcMain.invoke(ipcChannels.getConfig, topFrame('app://desktop/index.html'))).rejects.toThrow(
      /untrusted-sender/,
    );
  });
});
