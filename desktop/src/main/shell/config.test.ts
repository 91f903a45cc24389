import { describe, expect, it } from 'vitest';
import { loadMainConfig } from './config.js';

describe('loadMainConfig', () => {
  it('defaults to the local sync server', () => {
    expect(loadMainConfig('desktop', {}, false)).toEqual({
      shell: { app: 'desktop', serverUrl: 'http://127.0.0.1:4000', kioskScreen: null, kioskIdleSeconds: 60 },
      devTools: false,
    });
  });

  it('takes the server from MEDISYNC_SERVER_URL and keeps only its origin', () => {
    const config = loadMainConfig(
      'kiosk',
      { MEDISYNC_SERVER_URL: 'https://sync.clinic.example/x', MEDISYNC_KIOSK_SCREEN: 'display' },
      false,
    );
    expect(config.shell).toMatchObject({ serverUrl: 'https://sync.clinic.example', kioskScreen: 'display' });
  });

  it('fails fast naming the bad variable', () => {
    expect(() => loadMainConfig('desktop', { MEDISYNC_SERVER_URL: 'ftp://x' }, false)).toThrow(/MEDISYNC_SERVER_URL/);
    expect(() => loadMainConfig('kiosk', { MEDISYNC_KIOSK_IDLE_SECONDS: '2' }, false)).toThrow(
      /MEDISYNC_KIOSK_IDLE_SECONDS/,
    );
  });

  it('never opens developer tools in a packaged build', () => {
    expect(loadMainConfig('desktop', { MEDISYNC_DEVTOOLS: '1' }, false).devTools).toBe(true);
    expect(loadMainConfig('desktop', { MEDISYNC_DEVTOOLS: '1' }, true).devTools).toBe(false);
  });
});
