import type { IpcMain } from 'electron';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { childFrame, FakeIpcMain, topFrame } from '../testing/fake-electron.js';
import { isAppUrl } from './app-protocol.js';
import { appFrameOnly, IpcRefusedError, IpcRouter } from './ipc-router.js';

function router() {
  const ipcMain = new FakeIpcMain();
  const refused: string[] = [];
  const calls: unknown[][] = [];
  const r = new IpcRouter({
    ipcMain: ipcMain as unknown as IpcMain,
    isTrustedSender: appFrameOnly((url) => isAppUrl(url, 'desktop')),
    onRefused: (channel, reason) => refused.push(`${channel} ${reason}`),
  });
  r.route('medisync:add', z.tuple([z.number().int(), z.number().int()]), (a, b) => {
    calls.push([a, b]);
    return a + b;
  });
  return { ipcMain, refused, calls, router: r };
}

const app = topFrame('app://desktop/index.html');

describe('IpcRouter', () => {
  it('passes parsed arguments from the app page to the handler', async () => {
    const { ipcMain, calls } = router();
    await expect(ipcMain.invoke('medisync:add', app, 2, 3)).resolves.toBe(5);
    expect(calls).toEqual([[2, 3]]);
  });

  it('refuses channels without the medisync: prefix, and registering one twice', () => {
    const { router: r } = router();
    expect(() => r.route('add', z.tuple([]), () => 1)).toThrow(/must start with "medisync:"/);
    expect(() => r.route('medisync:add', z.tuple([]), () => 1)).toThrow(/twice/);
  });

  it.each([
    ['another origin', topFrame('https://evil.example/')],
    ['a subframe of the app', childFrame('app://desktop/index.html', 'app://desktop/index.html')],
    ['a file:// page', topFrame('file:///tmp/x.html')],
    ['a destroyed frame', null],
  ])('refuses a message from %s without calling the handler', async (_name, frame) => {
    const { ipcMain, calls, refused } = router();
    await expect(ipcMain.invoke('medisync:add', frame, 2, 3)).rejects.toBeInstanceOf(IpcRefusedError);
    expect(calls).toEqual([]);
    expect(refused).toEqual(['medisync:add untrusted-sender']);
  });

  it.each([
    ['a string', ['2', 3]],
    ['too few arguments', [2]],
    ['too many arguments', [2, 3, 4]],
    ['an object', [{ valueOf: (): number => 2 }, 3]],
  ])('refuses %s as arguments', async (_name, args) => {
    const { ipcMain, calls, refused } = router();
    await expect(ipcMain.invoke('medisync:add', app, ...args)).rejects.toThrow(/invalid-arguments/);
    expect(calls).toEqual([]);
    expect(refused).toEqual(['medisync:add invalid-arguments']);
  });

  it('removes its handlers on close', () => {
    const { ipcMain, router: r } = router();
    r.close();
    expect(ipcMain.handlers.size).toBe(0);
  });
});
