import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, type InlineConfig } from 'vite';
import { describe } from 'vitest';

/**
 * Shared by the desktop's and the kiosk's browser tests: a system Chromium
 * (never a downloaded one), a renderer built once per run, and a tiny static
 * server on loopback.
 */

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** CHROME_PATH, else Debian's /usr/bin/chromium; null when neither exists. */
export function findChromium(env: Record<string, string | undefined> = process.env): string | null {
  for (const candidate of [env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * `describe` when a Chromium is found. Without one the suite is skipped with
 * a loud warning, unless REQUIRE_BROWSER_TESTS=1 (CI), where it fails.
 */
export function describeInBrowser(name: string, body: () => void): void {
  const executable = findChromium();
  if (executable === null) {
    const message = `No Chromium found (set CHROME_PATH or install Debian's chromium): browser tests "${name}" cannot run.`;
    if (process.env.REQUIRE_BROWSER_TESTS === '1') {
      describe(name, () => {
        throw new Error(`${message} REQUIRE_BROWSER_TESTS=1 makes this a failure.`);
      });
      return;
    }
    // eslint-disable-next-line no-console
    console.warn(`\n!!! ${message} SKIPPING THEM. !!!\n`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

/** `extraArgs` add to the usual flags, e.g. a fake camera for the kiosk's QR scan. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error('no Chromium found');
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export interface BuiltRenderer {
  /** The folder holding the built pages. */
  dir: string;
  remove(): Promise<void>;
}

/**
 * Builds a renderer with its own vite config (or `overrides`) into a fresh
 * temporary folder: a test never empties dist/ under a developer, the start
 * script or another test that serves it.
 */
export async function buildRenderer(configFile: string | false, overrides: InlineConfig = {}): Promise<BuiltRenderer> {
  const runBuilds = process.env.MEDISYNC_RENDERER_BUILDS;
  if (runBuilds && configFile !== false && Object.keys(overrides).length === 0) {
    return sharedBuild(runBuilds, configFile);
  }
  return freshBuild(configFile, overrides);
}

/**
 * The run's one build of a renderer, made by whichever test file asks first;
 * test files run in several processes, so a lock folder decides who builds.
 */
async function sharedBuild(runBuilds: string, configFile: string): Promise<BuiltRenderer> {
  const dir = path.join(runBuilds, createHash('sha256').update(configFile).digest('hex').slice(0, 16));
  const done = `${dir}.done`;
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(done)) return { dir, remove: async () => undefined };
    try {
      await mkdir(lock);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (!existsSync(done)) {
        const built = await freshBuild(configFile);
        await rename(built.dir, dir);
        await writeFile(done, '');
      }
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

async function freshBuild(configFile: string | false, overrides: InlineConfig = {}): Promise<BuiltRenderer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'medisync-renderer-'));
  // Vitest sets NODE_ENV=test, which would give React's development build: build as a user's build does.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile,
      logLevel: 'warn',
      mode: 'production',
      ...overrides,
      build: { sourcemap: false, ...overrides.build, outDir: dir, emptyOutDir: true },
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves one folder on 127.0.0.1 at a free port; nothing outside it. `rewriteHtml` edits pages as they go out. */
export async function serveDirectory(
  dir: string,
  options: { rewriteHtml?: (html: string) => string } = {},
): Promise<StaticServer> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.resolve(root, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => {
        const rewrite = path.extname(file) === '.html' ? options.rewriteHtml : undefined;
        res
          .writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
          .end(rewrite ? rewrite(body.toString('utf8')) : body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Resolves once the page's service worker is active, that is once the web
 * build is in its cache and the page would reopen offline.
 */
export async function offlineCopyReady(page: Page): Promise<void> {
  // A string: this runs in the page, and the Node tests' types know no DOM.
  await page.evaluate(`navigator.serviceWorker.ready.then(
    (registration) =>
      new Promise((resolve) => {
        const worker = registration.active;
        if (worker === null || worker.state === 'activated') return resolve();
        worker.addEventListener('statechange', () => worker.state === 'activated' && resolve());
      }),
  )`);
}

/** Retries an assertion until it holds: the same helper the server's integration tests use. */
export { eventually } from '@medisync/sync-server/src/testing/fixtures.js';
export { expectNoAxeViolations, type AxeContext } from './axe.js';
export { saveScreenshot } from './screenshots.js';
