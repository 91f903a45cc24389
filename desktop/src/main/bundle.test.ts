import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildShell } from '../../scripts/build-shell.mjs';
import { ipcChannels } from '../common/ipc.js';
import { bootBundledMain } from './testing/boot-bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'medisync-desktop-bundle-'));
  await buildShell({ root, main: 'src/main/index.ts', preload: 'src/preload/index.ts', outDir: out });
});
afterAll(() => rm(out, { recursive: true, force: true }));

describe('the bundled desktop main process', () => {
  it('boots: sandbox, app scheme, every IPC channel, one secure window on app://desktop', async () => {
    const reports = await bootBundledMain(path.join(out, 'main', 'index.js'));
    expect(reports).toContainEqual({ sandbox: true });
    expect(reports).toContainEqual({ protocol: 'app' });
    expect(
      reports
        .filter((r) => 'ipc' in r)
        .map((r) => String(r.ipc))
        .sort(),
    ).toEqual(Object.values(ipcChannels).sort());
    const window = reports.find((r) => 'window' in r)!;
    expect(window.url).toBe('app://desktop/index.html');
    expect(window.window).toMatchObject({
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        preload: path.join(out, 'preload', 'index.cjs'),
      },
    });
  });

  it('refuses to start on a bad server URL, naming the variable', async () => {
    await expect(
      bootBundledMain(path.join(out, 'main', 'index.js'), { MEDISYNC_SERVER_URL: 'ftp://nope' }),
    ).rejects.toThrow(/MEDISYNC_SERVER_URL/);
  });
});
