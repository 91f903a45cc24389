import { readFile as readFileFromDisk } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme } from 'electron';

/**
 * The renderer is served over `app://<app>/…` rather than `file://`:
 * - it is a real, fixed origin (`app://desktop`), so the IPC router can check
 *   that a message comes from the app's own page, the CSP's `'self'` means the
 *   app and nothing else on disk, and IndexedDB keeps one stable home;
 * - the handler serves only files under the built renderer folder, so a
 *   crafted path cannot read anything else;
 * - it behaves like the web build served over HTTP (relative `base: './'`
 *   assets, module scripts, fetch), so one renderer build serves both.
 */
export const APP_SCHEME = 'app';

export const appSchemePrivileges: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true },
};

/** `app://desktop`: the origin of one app's pages. */
export function appOrigin(host: string): string {
  return `${APP_SCHEME}://${host}`;
}

/** Whether `url` is a page of the app served at `host` (Node's URL gives non-special schemes no origin to compare). */
export function isAppUrl(url: string, host: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === `${APP_SCHEME}:` && parsed.host === host && parsed.username === '' && parsed.password === ''
    );
  } catch {
    return false;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

export interface AppRequestHandlerOptions {
  host: string;
  /** Absolute path of the built renderer folder. */
  root: string;
  contentSecurityPolicy: string;
  readFile?: (file: string) => Promise<Uint8Array>;
}

/** The `protocol.handle` handler of the app scheme: static files of one folder, nothing else. */
export function createAppRequestHandler(options: AppRequestHandlerOptions): (request: Request) => Promise<Response> {
  const root = path.resolve(options.root);
  const readFile = options.readFile ?? readFileFromDisk;
  const notFound = () => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    let url: URL;
    let pathname: string;
    try {
      url = new URL(request.url);
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return new Response('Bad request', { status: 400 });
    }
    if (url.host !== options.host || pathname.includes('\0')) return notFound();
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(root, `.${pathname}`);
    if (!file.startsWith(root + path.sep)) return notFound();
    let body: Uint8Array;
    try {
      body = await readFile(file);
    } catch {
      return notFound();
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-security-policy': options.contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  };
}
