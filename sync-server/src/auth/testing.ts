import { newId } from '@medisync/shared/domain';
import type { Db } from '#db/db';
import { registerDevice } from '#devices/service';
import type { DeviceRole } from '#devices/queries';
import { insertUser, setUserSites, type StaffRole } from '#users/queries';
import { hashPassword } from './passwords.js';
import type { SessionAnswer } from './router.js';
import type { TokenService } from './tokens.js';

/** Test helpers: identities as the server would have made them. */

/** A device enrolled at a site, with its token, as if it had redeemed an enrollment code. */
export async function enrolledDevice(
  server: { db: Db; tokens: TokenService },
  siteId: string,
  role: DeviceRole = 'desk',
  name = `test ${role}`,
): Promise<{ deviceId: string; token: string }> {
  const { device, deviceToken } = await server.db.transaction((tx) =>
    registerDevice(tx, server.tokens, { siteId, role, name, label: name, enrolledBy: null }),
  );
  return { deviceId: device.id, token: deviceToken };
}

export const TEST_PASSWORD = 'correct horse battery';

/** A staff account at `siteIds`, password `TEST_PASSWORD`. */
export async function staffUser(
  db: Db,
  siteIds: string[],
  role: StaffRole = 'desk',
  email = `${role}-${newId().slice(-12)}@test.clinic`,
): Promise<{ id: string; email: string }> {
  const id = newId();
  const passwordHash = await hashPassword(TEST_PASSWORD);
  await db.transaction(async (tx) => {
    await insertUser(tx, { id, email, displayName: `Test ${role}`, role, passwordHash });
    await setUserSites(tx, id, siteIds);
  });
  return { id, email };
}

/** Signs in over HTTP and returns the session, failing loudly when the server refuses. */
export async function signIn(
  url: string,
  email: string,
  password = TEST_PASSWORD,
  siteId?: string,
): Promise<SessionAnswer> {
  const response = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, ...(siteId ? { siteId } : {}) }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as SessionAnswer;
}

/** A JSON request with an optional bearer token; returns status, headers and parsed body. */
export async function api<T = Record<string, unknown>>(
  url: string,
  path: string,
  options: { method?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(`${url}${path}`, {
    method: options.method ?? (hasBody ? 'POST' : 'GET'),
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}
