import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildShell } from '@medisync/desktop/shell/build';
import { bootBundledMain } from '@medisync/desktop/testing/main';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'medisync-kiosk-bundle-'));
  await buildShell({ root, main: 'src/main/index.ts', preload: 'src/preload/index.ts', outDir: out });
});
afterAll(() => rm(out, { recursive: true, force: true }));

describe('the bundled kiosk main process', () => {
  it.each([
    ['check-in', 'app://kiosk/check-in.html'],
    ['display', 'app://kiosk/display.html'],
  ])('opens the %s screen fullscreen in kiosk mode, without a menu', async (screen, url) => {
    const reports = await bootBundledMain(path.join(out, 'main', 'index.js'), { MEDISYNC_KIOSK_SCREEN: screen });
    expect(reports).toContainEqual({ menu: null });
    const window = reports.find((r) => 'window' in r)!;
    expect(window.url).toBe(url);
    expect(window.window).toMatchObject({
      kiosk: true,
      fullscreen: true,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        devTools: false,
        backgroundThrottling: false,
        autoplayPolicy: 'no-user-gesture-required',
      },
    });
  });
});
