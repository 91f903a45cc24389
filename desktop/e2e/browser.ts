import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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

export function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error('no Chromium found');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
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

/** Retries an assertion until it holds: the same helper the server's integration tests use. */
export { eventually } from '@medisync/sync-server/src/testing/fixtures.js';
