import type { WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { FakeWebContents } from '../testing/fake-electron.js';
import { denyWindowOpen } from './window-open.js';

describe('denyWindowOpen', () => {
  it.each(['https://evil.example/', 'app://desktop/index.html', 'about:blank'])('denies window.open(%s)', (url) => {
    const contents = new FakeWebContents();
    const denied: string[] = [];
    denyWindowOpen(contents as unknown as WebContents, (u) => denied.push(u));
    expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(denied).toEqual([url]);
  });
});
