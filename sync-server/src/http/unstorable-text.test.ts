import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey } from '#api-clients/testing';
import { api, signIn, staffUser } from '#auth/testing';
import { seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';

/**
 * PostgreSQL refuses NUL characters in text and jsonb, and no UTF-8 encoder can
 * write a lone UTF-16 surrogate. Wherever text comes in, such a string is a
 * 400 that names the field, never a 500 from the database.
 */

let server: TestServer;
let key: string;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  const { site } = await seedSite(server.db);
  key = await apiClientKey(server.db, site.id);
  admin = (await signIn(server.url, (await staffUser(server.db, [site.id], 'admin')).email)).accessToken;
});
afterAll(async () => {
  await server?.close();
});

type ErrorAnswer = { error: { code: string; details: { issues: { path: string; message: string }[] } } };

const unstorable = ['A\u0000B', '\ud800', 'x\udc00y', '\udbff'];

async function expectRefused(answer: { status: number; body: ErrorAnswer }, field: string) {
  expect(answer.status).toBe(400);
  expect(answer.body.error.code).toBe('invalid-request');
  expect(answer.body.error.details.issues).toContainEqual({
    path: field,
    message: 'must not contain NUL characters or unpaired surrogates',
  });
}

describe('text that cannot be stored', () => {
  it('is refused in REST bodies and queries, naming the field, while good text still works', async () => {
    for (const bad of unstorable) {
      const created = await api<ErrorAnswer>(server.url, '/api/v1/patients', {
        token: key,
        body: { givenName: bad, familyName: 'Silva', dob: '1990-01-02', sex: 'female' },
      });
      await expectRefused(created, 'givenName');
    }
    const address = await api<ErrorAnswer>(server.url, '/api/v1/patients', {
      token: key,
      body: {
        givenName: 'Ana',
        familyName: 'Silva',
        dob: '1990-01-02',
        sex: 'female',
        address: {
          line1: 'Main St\u0000 1',
          line2: null,
          city: 'Porto',
          region: null,
          postalCode: '4000',
          country: 'PT',
        },
      },
    });
    await expectRefused(address, 'address.line1');

    const found = await api<ErrorAnswer>(server.url, '/api/v1/patients?name=A%00B', { token: key });
    await expectRefused(found, 'name');

    const hook = await api<ErrorAnswer>(server.url, '/api/v1/webhooks', {
      token: key,
      body: { url: 'https://hooks.example.org/a\u0000b', events: ['appointment.booked'] },
    });
    await expectRefused(hook, 'url');

    const good = await api<{ givenName: string }>(server.url, '/api/v1/patients', {
      token: key,
      body: { givenName: 'Zoë 😀', familyName: 'Silva', dob: '1990-01-02', sex: 'female' },
    });
    expect(good.status).toBe(201);
    expect(good.body.givenName).toBe('Zoë 😀');
  });

  it('is refused in FHIR search parameters, names and values, with an OperationOutcome', async () => {
    for (const query of ['name=A%00B', 'family=%00', 'given=A&given=%00', 'A%00B=1']) {
      const answer = await api<{ resourceType: string; issue: { code: string; diagnostics: string }[] }>(
        server.url,
        `/fhir/R4/Patient?${query}`,
        { token: key },
      );
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.body.issue[0]).toMatchObject({
        code: 'invalid',
        diagnostics: expect.stringContaining('must not contain NUL characters') as unknown,
      });
    }
    const booked = await api<{ resourceType: string }>(server.url, '/fhir/R4/Appointment', {
      token: key,
      body: { resourceType: 'Appointment', comment: 'late\u0000', participant: [] },
    });
    expect(booked.status).toBe(400);
    expect(booked.body.resourceType).toBe('OperationOutcome');
    expect((await api(server.url, '/fhir/R4/Patient?name=Zo%C3%AB', { token: key })).status).toBe(200);
  });

  it('is refused by the admin and device routes', async () => {
    const cases: [path: string, body: unknown, field: string][] = [
      [
        '/admin/users',
        { email: 'nul@test.clinic', displayName: 'A\u0000B', role: 'desk', password: 'x'.repeat(12) },
        'displayName',
      ],
      [
        '/admin/users',
        { email: 'nul@test.clinic', displayName: 'Ann', role: 'desk', password: `${'x'.repeat(12)}\ud800` },
        'password',
      ],
      ['/admin/api-clients', { name: 'EHR\u0000', scopes: ['patients:read'] }, 'name'],
      ['/admin/enrollment-codes', { role: 'kiosk', label: 'Lobby\ud800' }, 'label'],
      ['/tickets/blocks', { queue: 'reception\u0000' }, 'queue'],
    ];
    for (const [path, body, field] of cases) {
      await expectRefused(await api<ErrorAnswer>(server.url, path, { token: admin, body }), field);
    }
    await expectRefused(await api<ErrorAnswer>(server.url, '/admin/audit?actorId=A%00B', { token: admin }), 'actorId');
    await expectRefused(
      await api<ErrorAnswer>(server.url, '/devices/enroll', { body: { code: '123-456-789', name: 'Kiosk\u0000' } }),
      'name',
    );
  });
});
