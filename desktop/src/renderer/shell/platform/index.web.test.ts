import { describe, expect, it } from 'vitest';
import { webPlatform, type WebEnvironment } from './index.web.js';

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

function environment(href: string, serverMeta: string | null) {
  const url = new URL(href);
  const env = {
    location: { href, origin: url.origin, search: url.search },
    document: {
      querySelector: () => (serverMeta === null ? null : { content: serverMeta }),
    } as unknown as WebEnvironment['document'],
    sessionStorage: memoryStorage(),
    localStorage: memoryStorage(),
  };
  return env;
}

describe('the web platform', () => {
  it('talks to the server the page came from unless the deployment names one', async () => {
    expect(
      (await webPlatform('desktop', environment('http://10.0.0.5:4000/app/desktop/', '')).config()).serverUrl,
    ).toBe('http://10.0.0.5:4000');
    const configured = environment('http://127.0.0.1:5173/', 'http://127.0.0.1:4000/ignored/path');
    expect((await webPlatform('desktop', configured).config()).serverUrl).toBe('http://127.0.0.1:4000');
  });

  it('keeps a staff session for the tab only and a device enrollment for the profile', async () => {
    const env = environment('http://x/', null);
    const platform = webPlatform('kiosk', env);
    await platform.writeSecret('staff-session', 's');
    await platform.writeSecret('device-enrollment', 'd');
    expect([...env.sessionStorage.values.keys()]).toEqual(['medisync.staff-session']);
    expect([...env.localStorage.values.keys()]).toEqual(['medisync.device-enrollment']);
    await platform.deleteSecret('device-enrollment');
    expect(await platform.readSecret('device-enrollment')).toBeNull();
  });

  it.each([
    ['', 60],
    ['?idle=30', 30],
    ['?idle=1', 5],
    ['?idle=99999', 3600],
    ['?idle=abc', 60],
    ['?idle=-4', 60],
  ])('reads the kiosk idle time from %s as %i s', async (search, seconds) => {
    const config = await webPlatform('kiosk', environment(`http://x/check-in.html${search}`, null)).config();
    expect(config.kioskIdleSeconds).toBe(seconds);
  });
});
