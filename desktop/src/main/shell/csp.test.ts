import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { FakeSession } from '../testing/fake-electron.js';
import { applyContentSecurityPolicy, contentSecurityPolicy } from './csp.js';

const directives = (policy: string) =>
  Object.fromEntries(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('contentSecurityPolicy', () => {
  it('lets the page reach only itself and the sync server, over HTTP and WebSocket', () => {
    const csp = directives(contentSecurityPolicy('http://127.0.0.1:4000'));
    expect(csp['connect-src']).toEqual(["'self'", 'http://127.0.0.1:4000', 'ws://127.0.0.1:4000']);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['frame-src']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
  });

  it('uses wss for an https server and drops any path from the URL', () => {
    const csp = directives(contentSecurityPolicy('https://sync.clinic.example/api'));
    expect(csp['connect-src']).toEqual(["'self'", 'https://sync.clinic.example', 'wss://sync.clinic.example']);
  });

  it('never allows inline scripts or eval', () => {
    expect(contentSecurityPolicy('http://127.0.0.1:4000')).not.toMatch(/unsafe-(inline|eval)/);
  });
});

describe('applyContentSecurityPolicy', () => {
  it('sets the policy on every response and replaces a weaker one a response brought', () => {
    const session = new FakeSession();
    applyContentSecurityPolicy(session as unknown as Session, "default-src 'none'");
    const headers = session.receive('app://desktop/index.html', {
      'content-security-policy': ["default-src *; script-src 'unsafe-inline'"],
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'none'"] });
  });
});
