import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SecretName } from '../../common/api.js';
import type { Platform } from '../shell/platform/index.js';
import { ServerApiError, ServerUnreachableError, type ServerApi, type StaffSessionGrant } from '../shell/server-api.js';
import { StaffSession } from './staff-session.js';

function memoryPlatform(): Platform & { secrets: Map<SecretName, string> } {
  const secrets = new Map<SecretName, string>();
  return {
    kind: 'web',
    secrets,
    config: async () => ({
      app: 'desktop',
      serverUrl: 'http://x',
      kioskScreen: null,
      kioskIdleSeconds: 60,
      ticketPrinter: null,
    }),
    readSecret: async (name) => secrets.get(name) ?? null,
    writeSecret: async (name, value) => void secrets.set(name, value),
    deleteSecret: async (name) => void secrets.delete(name),
    databaseKey: async () => null,
  };
}

let counter = 0;
const grant = (): StaffSessionGrant => {
  counter += 1;
  return {
    accessToken: `access-${counter}`,
    refreshToken: `refresh-${counter}`,
    expiresIn: 900,
    user: { id: 'u1', email: 'desk@demo.clinic', displayName: 'Desk', role: 'desk' },
    site: { id: 's1', name: 'Demo', timezone: 'UTC' },
  };
};

function fakeApi(refresh: (token: string) => Promise<StaffSessionGrant>): ServerApi & { signedOut: string[] } {
  const signedOut: string[] = [];
  return {
    signedOut,
    signIn: async () => grant(),
    refresh,
    signOut: async (token) => void signedOut.push(token),
    enroll: async () => {
      throw new Error('not used');
    },
  };
}

afterEach(() => vi.useRealTimers());

describe('StaffSession', () => {
  it('keeps the refresh token to resume, and refreshes before the access token expires', async () => {
    vi.useFakeTimers();
    let now = 1_000_000;
    const platform = memoryPlatform();
    const api = fakeApi(async () => grant());
    const session = await StaffSession.signIn(api, platform, { email: 'desk@demo.clinic', password: 'x' }, () => now);
    const first = await session.getToken();
    expect(JSON.parse(platform.secrets.get('staff-session')!)).toMatchObject({ refreshToken: expect.any(String) });
    now += 900_000 - 10_000; // ten seconds before expiry
    const second = await session.getToken();
    expect(second).not.toBe(first);
    session.dispose();
  });

  it('resumes offline from the stored session when the server cannot be reached', async () => {
    const platform = memoryPlatform();
    await StaffSession.signIn(
      fakeApi(async () => grant()),
      platform,
      { email: 'a', password: 'b' },
    ).then((s) => s.dispose());
    const offline = fakeApi(async () => {
      throw new ServerUnreachableError(new TypeError('fetch failed'));
    });
    const resumed = await StaffSession.resume(offline, platform);
    expect(resumed?.user.email).toBe('desk@demo.clinic');
    await expect(resumed!.getToken()).resolves.toBe('');
    resumed!.dispose();
  });

  it('ends and forgets the session when the server refuses the refresh token', async () => {
    const platform = memoryPlatform();
    await StaffSession.signIn(
      fakeApi(async () => grant()),
      platform,
      { email: 'a', password: 'b' },
    ).then((s) => s.dispose());
    const refusing = fakeApi(async () => {
      throw new ServerApiError(401, 'invalid-token', 'refresh token revoked', null);
    });
    expect(await StaffSession.resume(refusing, platform)).toBeNull();
    expect(platform.secrets.has('staff-session')).toBe(false);
  });

  it('signs out at the server and on the device', async () => {
    const platform = memoryPlatform();
    const api = fakeApi(async () => grant());
    const session = await StaffSession.signIn(api, platform, { email: 'a', password: 'b' });
    const ended: string[] = [];
    session.onEnd((reason) => ended.push(reason));
    await session.signOut();
    expect(ended).toEqual(['signed-out']);
    expect(api.signedOut).toHaveLength(1);
    expect(platform.secrets.has('staff-session')).toBe(false);
  });
});
