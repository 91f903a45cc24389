import { describe, expect, it } from 'vitest';
import { loadMainConfig } from './config.js';

describe('loadMainConfig', () => {
  it('defaults to the local sync server', () => {
    expect(loadMainConfig('desktop', {}, false)).toEqual({
      shell: {
        app: 'desktop',
        serverUrl: 'http://127.0.0.1:4000',
        kioskScreen: null,
        kioskIdleSeconds: 60,
        ticketPrinter: null,
      },
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

  it('takes the kiosk ticket printer from MEDISYNC_TICKET_PRINTER; the desktop prints no tickets', () => {
    const printer = (app: 'desktop' | 'kiosk', name?: string) =>
      loadMainConfig(app, { MEDISYNC_TICKET_PRINTER: name }, false).shell.ticketPrinter;
    expect(printer('kiosk', 'Star_TSP143 (lobby)')).toBe('Star_TSP143 (lobby)');
    expect(printer('kiosk', '  EPSON_TM-T20III  ')).toBe('EPSON_TM-T20III');
    expect(printer('kiosk')).toBeNull();
    expect(printer('kiosk', '   ')).toBeNull();
    expect(printer('desktop', 'Star_TSP143')).toBeNull();
  });

  it.each([
    ['a control character', 'Star\u0000TSP143'],
    ['an escape sequence', 'Star\u001b[2JTSP143'],
    ['a line break inside the name', 'Star\nTSP143'],
    ['an over-long name', 'P'.repeat(257)],
  ])('refuses a printer name with %s, naming the variable', (_name, value) => {
    expect(() => loadMainConfig('kiosk', { MEDISYNC_TICKET_PRINTER: value }, false)).toThrow(/MEDISYNC_TICKET_PRINTER/);
  });

  it('never opens developer tools in a packaged build', () => {
    expect(loadMainConfig('desktop', { MEDISYNC_DEVTOOLS: '1' }, false).devTools).toBe(true);
    expect(loadMainConfig('desktop', { MEDISYNC_DEVTOOLS: '1' }, true).devTools).toBe(false);
  });
});
