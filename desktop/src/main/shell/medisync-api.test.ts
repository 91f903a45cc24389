import type { IpcMain } from 'electron';
import { describe, expect, it } from 'vitest';
import type { ShellConfig } from '../../common/api.js';
import { ipcChannels } from '../../common/ipc.js';
import { childFrame, FakeIpcMain, FakeWebContents, topFrame } from '../testing/fake-electron.js';
import { isAppUrl } from './app-protocol.js';
import { appFrameOnly, IpcRouter } from './ipc-router.js';
import type { Keychain } from './keychain.js';
import { medisyncApiHandlers, routeMedisyncApi } from './medisync-api.js';

const config: ShellConfig = {
  app: 'desktop',
  serverUrl: 'http://127.0.0.1:4000',
  kioskScreen: null,
  kioskIdleSeconds: 60,
  ticketPrinter: null,
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

function routed(shell: ShellConfig = config, log: (message: string) => void = () => undefined) {
  const ipcMain = new FakeIpcMain();
  const router = new IpcRouter({
    ipcMain: ipcMain as unknown as IpcMain,
    isTrustedSender: appFrameOnly((url) => isAppUrl(url, shell.app)),
  });
  routeMedisyncApi(router, medisyncApiHandlers(shell, memoryKeychain(), log));
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

describe('printTicket in main', () => {
  const kiosk: ShellConfig = { ...config, app: 'kiosk', kioskScreen: 'check-in', ticketPrinter: 'Star_TSP143' };
  const checkIn = topFrame('app://kiosk/check-in.html');

  it('prints the calling page silently on the configured printer and resolves true once it is printed', async () => {
    const ipcMain = routed(kiosk);
    const sender = new FakeWebContents();
    await expect(ipcMain.invokeFrom(ipcChannels.printTicket, checkIn, sender)).resolves.toBe(true);
    expect(sender.printed).toEqual([{ silent: true, deviceName: 'Star_TSP143', printBackground: true }]);
  });

  it('resolves false and logs why when the printer fails, without passing the reason to the page', async () => {
    const logged: string[] = [];
    const ipcMain = routed(kiosk, (message) => logged.push(message));
    const sender = new FakeWebContents();
    sender.printOutcome = [false, 'Print job failed'];
    await expect(ipcMain.invokeFrom(ipcChannels.printTicket, checkIn, sender)).resolves.toBe(false);
    expect(logged).toEqual(['ticket not printed on "Star_TSP143": Print job failed']);

    const destroyed = {
      print: () => {
        throw new Error('Object has been destroyed');
      },
    };
    await expect(ipcMain.invokeFrom(ipcChannels.printTicket, checkIn, destroyed)).resolves.toBe(false);
    expect(logged).toHaveLength(2);
  });

  it.each([
    ['a kiosk without a printer', { ...kiosk, ticketPrinter: null }],
    ['the desktop, even with a printer name', { ...config, ticketPrinter: 'Star_TSP143' }],
  ])('resolves false on %s, printing nothing', async (_name, shell) => {
    const ipcMain = routed(shell);
    const sender = new FakeWebContents();
    const frame = topFrame(`app://${shell.app}/index.html`);
    await expect(ipcMain.invokeFrom(ipcChannels.printTicket, frame, sender)).resolves.toBe(false);
    expect(sender.printed).toEqual([]);
  });

  it.each([
    ['another origin', topFrame('https://evil.example/')],
    ['a subframe of the kiosk page', childFrame('app://kiosk/check-in.html', 'app://kiosk/check-in.html')],
    ['the desktop app', topFrame('app://desktop/index.html')],
  ])('refuses a print from %s without printing', async (_name, frame) => {
    const ipcMain = routed(kiosk);
    const sender = new FakeWebContents();
    await expect(ipcMain.invokeFrom(ipcChannels.printTicket, frame, sender)).rejects.toThrow(/untrusted-sender/);
    expect(sender.printed).toEqual([]);
  });

  it('refuses a page that names its own printer', async () => {
    const ipcMain = routed(kiosk);
    const sender = new FakeWebContents();
    await expect(ipcMain.invokeFrom(ipcChannels.printTicket, checkIn, sender, 'Other_Printer')).rejects.toThrow(
      /invalid-arguments/,
    );
    expect(sender.printed).toEqual([]);
  });
});
