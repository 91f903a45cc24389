import type { Actor, CollectionName } from '@medisync/shared/domain';
import type { TestServer } from '@medisync/sync-server/src/testing/test-server.js';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What the lobby browser tests do as staff against a real sync server: sign in,
 * push what a desk would, and enroll a lobby page with a fresh code.
 */

export interface Staff {
  token: string;
  actor: Actor;
  site: { id: string; timezone: string };
}

/**
 * An active demo patient with no visit today (`offset` picks another): a test
 * that books them one knows it is the only one the kiosk can find.
 */
export const patientWithoutVisitsToday = (offset = 0) =>
  `SELECT p.doc FROM patients p
    WHERE p.doc->>'active' = 'true'
      AND NOT EXISTS (SELECT 1 FROM appointments a
                       WHERE a.doc->>'patientId' = p.id::text AND (a.doc->>'start')::timestamptz > now() - interval '1 day')
    ORDER BY p.id OFFSET ${offset} LIMIT 1`;

export async function post<T>(server: TestServer, route: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function signIn(server: TestServer, email: string): Promise<Staff> {
  const session = await post<{ accessToken: string; user: { id: string }; site: { id: string; timezone: string } }>(
    server,
    '/auth/sign-in',
    { email, password: 'medisync-demo' },
  );
  return {
    token: session.accessToken,
    actor: { id: session.user.id, role: 'desk', source: 'desk' },
    site: session.site,
  };
}

/** What the front desk would push: through the normal sync endpoint, so live changes reach the lobby devices. */
export async function push(server: TestServer, staff: Staff, collection: CollectionName, record: object) {
  const result = await post<{ rejected: unknown[] }>(
    server,
    `/sync/${collection}/push`,
    [{ newDocumentState: record, assumedMasterState: null }],
    staff.token,
  );
  expect(result.rejected).toEqual([]);
}

/** A lobby page enrolled with a fresh code, as an administrator would set it up. */
export async function enroll(page: Page, server: TestServer, admin: Staff, role: 'kiosk' | 'display') {
  const { code } = await post<{ code: string }>(
    server,
    '/admin/enrollment-codes',
    { role, label: `test ${role}` },
    admin.token,
  );
  await page.getByLabel('Enrollment code').fill(code);
  await page.getByLabel('Device name').fill(`Lobby ${role}`);
  await page.getByRole('button', { name: 'Enroll' }).click();
}

/** A patient finds their appointment at the kiosk by family name and date of birth (YYYY-MM-DD), in English. */
export async function identifyAtKiosk(
  page: Page,
  t: { start: string; familyName: string; day: string; month: string; year: string; find: string },
  familyName: string,
  dob: string,
) {
  await page.getByRole('button', { name: t.start }).click();
  await page.getByRole('textbox', { name: t.familyName, exact: true }).fill(familyName);
  const [year, month, day] = dob.split('-');
  await page.getByLabel(t.day).fill(String(Number(day)));
  await page.getByLabel(t.month).selectOption(String(Number(month)));
  await page.getByLabel(t.year).fill(year!);
  await page.getByRole('button', { name: t.find }).click();
}
