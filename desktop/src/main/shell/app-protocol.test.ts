import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppRequestHandler, isAppUrl } from './app-protocol.js';

const root = path.resolve('/srv/renderer');
const files: Record<string, string> = {
  [path.join(root, 'index.html')]: '<!doctype html>',
  [path.join(root, 'assets', 'index.js')]: 'export {}',
};
const handler = createAppRequestHandler({
  host: 'desktop',
  root,
  contentSecurityPolicy: "default-src 'none'",
  readFile: async (file) => {
    const content = files[file];
    if (content === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return new TextEncoder().encode(content);
  },
});

describe('the app:// protocol', () => {
  it('serves the renderer with its type and the CSP', async () => {
    const response = await handler(new Request('app://desktop/'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<!doctype html>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    const script = await handler(new Request('app://desktop/assets/index.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    'app://desktop/../../etc/passwd',
    'app://desktop/%2e%2e/%2e%2e/etc/passwd',
    'app://desktop/assets/..%2f..%2f..%2fetc%2fpasswd',
    'app://desktop/%00index.html',
    'app://kiosk/index.html',
    'app://desktop/missing.js',
  ])('answers 404 for %s', async (url) => {
    expect((await handler(new Request(url))).status).toBe(404);
  });

  it('refuses writes', async () => {
    expect((await handler(new Request('app://desktop/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('recognises only its own origin', () => {
    expect(isAppUrl('app://desktop/index.html', 'desktop')).toBe(true);
    expect(isAppUrl('app://desktop.evil/index.html', 'desktop')).toBe(false);
    expect(isAppUrl('https://desktop/index.html', 'desktop')).toBe(false);
    expect(isAppUrl('', 'desktop')).toBe(false);
  });
});
