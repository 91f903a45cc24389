import type { WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { FakeWebContents, fakeEvent } from '../testing/fake-electron.js';
import { isAppUrl } from './app-protocol.js';
import { blockNavigation } from './navigation.js';

function guarded() {
  const contents = new FakeWebContents();
  const blocked: string[] = [];
  blockNavigation(
    contents as unknown as WebContents,
    (url) => isAppUrl(url, 'desktop'),
    (url) => blocked.push(url),
  );
  return { contents, blocked };
}

describe('blockNavigation', () => {
  it('lets the app move between its own pages', () => {
    const { contents, blocked } = guarded();
    expect(contents.navigate('app://desktop/index.html#/queue')).toBe(true);
    expect(blocked).toEqual([]);
  });

  it.each([
    'https://evil.example/phish',
    'http://127.0.0.1:4000/',
    'file:///etc/passwd',
    'app://kiosk/check-in.html',
    'app://user:pass@desktop/index.html',
    'javascript:alert(1)',
    'not a url',
  ])('cancels navigation to %s', (url) => {
    const { contents, blocked } = guarded();
    expect(contents.navigate(url)).toBe(false);
    expect(blocked).toEqual([url]);
  });

  it('cancels redirects and subframe navigation away from the app', () => {
    const { contents } = guarded();
    expect(contents.navigate('https://evil.example/', 'will-redirect')).toBe(false);
    expect(contents.navigate('https://evil.example/', 'will-frame-navigate')).toBe(false);
    expect(contents.navigate('app://desktop/index.html', 'will-frame-navigate')).toBe(true);
  });

  it('refuses to attach a <webview>', () => {
    const { contents, blocked } = guarded();
    const event = fakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
    expect(blocked).toEqual(['<webview>']);
  });
});
