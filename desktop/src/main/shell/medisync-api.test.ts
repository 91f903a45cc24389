import type { IpcMain } from 'electron';
import { describe, expect, it } from 'vitest';
import type { ShellConfig } from '../../common/api.js';
import { ipcChannels } from '../../common/ipc.js';
import { FakeIpcMain, topFrame } from '../testing/fake-electron.js';
import { isAppUrl } from './app-protocol.js';
import { appFrameOnly, IpcRouter } from './ipc-router.js';
import type { Keychain } from './keychain.js';
import { medisyncApiHandlers, routeMedisyncApi } from './medisync-api.js';

const config: ShellConfig = {
  app: 'desktop',
  serverUrl: 'http://127.0.0.1:4000',
  kioskScreen: null,
  kioskIdleSeconds: 60,
};

function memoryKeychain(): Keychain {
  const values = new Map<string, string>();
  return {
    secure: true,
    get: async (name) => values.get(name) ?? null,
    set: async (name, value) => void values.set(name, value),
    delete: async (name) => void values.delete(name),
    databaseKey: async () => 'k'.repeat(64),
  };
}

function routed() {
  const ipcMain = new FakeIpcMain();
  const router = new IpcRouter({
    ipcMain: ipcMain as unknown as IpcMain,
    isTrustedSender: appFrameOnly((url) => isAppUrl(url, 'desktop')),
  });
  routeMedisyncApi(router, medisyncApiHandlers(config, memoryKeychain()));
  return ipcMain;
}
const page = topFrame('app://desktop/index.html');

describe('the medisync API in main', () => {
  it('routes one channel per API function, all under the medisync: prefix', () => {
    const ipcMain = routed();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(ipcChannels).sort());
  });

  it('stores and reads a secret by its known name', async () => {
    const ipcMain = routed();
    await ipcMain.invoke(ipcChannels.writeSecret, page, 'staff-session', 'value');
    await expect(ipcMain.invoke(ipcChannels.readSecret, page, 'staff-session')).resolves.toBe('value');
    await expect(ipcMain.invoke(ipcChannels.getConfig, page)).resolves.toEqual(config);
    await expect(ipcMain.invoke(ipcChannels.getDatabaseKey, page)).resolves.toHaveLength(64);
  });

  it('refuses unknown secret names, the database key as a secret, and oversized values', async () => {
    const ipcMain = routed();
    await expect(ipcMain.invoke(ipcChannels.readSecret, page, 'database-key')).rejects.toThrow(/invalid-arguments/);
    await expect(ipcMain.invoke(ipcChannels.writeSecret, page, '__proto__', 'x')).rejects.toThrow(/invalid-arguments/);
    await expect(ipcMain.invoke(ipcChannels.writeSecret, page, 'staff-session', 'x'.repeat(20_000))).rejects.toThrow(
      /invalid-arguments/,
    );
  });
});
