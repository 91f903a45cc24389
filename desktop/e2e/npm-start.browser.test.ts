import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@medisync/sync-server/src/testing/test-database.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchChromium } from './browser.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Both web apps are built from scratch first: minutes on a busy two-core machine. */
const STARTED_WITHIN_MS = 540_000;

interface Started {
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  urls: { desk: string; kiosk: string; display: string };
}

/**
 * `npm start` exactly as a newcomer runs it, on its own database, building the
 * web apps into `renderersDir` so no developer's dist/ is touched.
 */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const child = spawn('npm', ['start'], {
    cwd: repo,
    // Its own process group: the test stops npm and the start script together, as Ctrl-C would.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const urls = await new Promise<Started['urls']>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no app URLs in time:\n${output}`)),
      STARTED_WITHIN_MS,
    );
    const look = () => {
      const url = (label: string) => new RegExp(`\\[medisync\\] ${label}:\\s+(http://\\S+)`).exec(output)?.[1];
      const [desk, kiosk, display] = [
        url('desk \\(reception\\)'),
        url('kiosk \\(self check-in\\)'),
        url('waiting-room display'),
      ];
      if (desk && kiosk && display && output.includes('to enroll a kiosk or display')) {
        clearTimeout(timer);
        resolve({ desk, kiosk, display });
      }
    };
    child.stdout!.on('data', look);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before printing the app URLs:\n${output}`));
    });
  });
  return { child, output: () => output, urls };
}

/**
 * Ctrl-C, as in a terminal: npm and the start script get SIGINT, the script
 * stops its children, the server last. Resolves once every process holding
 * the output has exited; SIGKILL only if that hangs.
 */
async function stop(child: ChildProcess): Promise<void> {
  if (child.stdout!.closed && child.stderr!.closed) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  process.kill(-child.pid!, 'SIGINT');
  const force = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
  await closed;
  clearTimeout(force);
}

describeInBrowser('npm start on a fresh clone, without Electron', () => {
  let database: TestDatabase;
  let renderersDir: string;
  let browser: Browser;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    renderersDir = await mkdtemp(path.join(tmpdir(), 'medisync-npm-start-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const child of running) await stop(child);
    await browser?.close();
    await database?.drop();
    await rm(renderersDir, { recursive: true, force: true });
  });

  it(
    'builds the web apps, serves the desk, kiosk and display, says how to enroll, and stops on Ctrl-C',
    async () => {
      const env = { DATABASE_URL: database.url, DEMO: 'true', RENDERERS_DIR: renderersDir };
      const first = await npmStart(env);
      running.push(first.child);
      expect(first.output()).toContain('building the desktop web app');
      expect(first.output()).toContain('building the kiosk web app');
      expect(first.output()).toMatch(/enroll a kiosk or display.*npm run enrollment-code/);

      const page = await browser.newPage();
      await page.goto(first.urls.desk);
      await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count(), { timeout: 30_000 }).toBe(1);
      await page.goto(first.urls.kiosk);
      await expect.poll(() => page.getByLabel('Enrollment code').count(), { timeout: 30_000 }).toBe(1);

      // The display, enrolled with a code from the helper the start log names.
      const origin = new URL(first.urls.display).origin;
      const { stdout } = await promisify(execFile)(process.execPath, ['scripts/enrollment-code.mjs', 'display'], {
        cwd: repo,
        env: { ...process.env, MEDISYNC_SERVER_URL: origin },
      });
      const code = /^([0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3})\s/.exec(stdout)?.[1];
      expect(code, stdout).toBeDefined();
      await page.goto(first.urls.display);
      await page.getByLabel('Enrollment code').fill(code!);
      await page.getByLabel('Device name').fill('Waiting-room TV');
      await page.getByRole('button', { name: 'Enroll' }).click();
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 })
        .toBe('Now calling');
      await page.close();

      await stop(first.child);
      // The server shut down in order rather than being killed.
      expect(first.output()).toMatch(/"msg":"stopped"/);

      // Started again with nothing changed: the builds are reused.
      const second = await npmStart(env);
      running.push(second.child);
      expect(second.output()).not.toContain('building the');
      expect((await fetch(second.urls.display)).status).toBe(200);
      await stop(second.child);
      expect(second.output()).toMatch(/"msg":"stopped"/);
    },
    STARTED_WITHIN_MS * 2,
  );
});
