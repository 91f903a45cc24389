import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey, seedSchedule } from '#api-clients/testing';
import { api, signIn, staffUser } from '#auth/testing';
import { seedBilledVisit } from '#billing/testing';
import { loadConfig } from '#config';
import { newPatient, seedSite } from '#testing/fixtures';
import { SmtpStandIn } from '#testing/smtp-stand-in';
import { startTestServer, type TestServer } from '#testing/test-server';

let smtp: SmtpStandIn;
let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let key: string;
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  // Emailing an invoice is one of the routes: it needs a mail relay.
  smtp = await SmtpStandIn.start();
  server = await startTestServer({
    reminders: { ...loadConfig({}).reminders, email: { kind: 'smtp', url: smtp.url, from: 'billing@test.clinic' } },
  });
  site = await seedSite(server.db);
  await seedSchedule(server.db, site.site.id, site.provider.id);
  key = await apiClientKey(server.db, site.site.id);
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const call = <T = Record<string, unknown>>(
  path: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string } = {},
) => api<T>(server.url, `/api/v1${path}`, { token: key, ...options });

describe('API clients', () => {
  it('an admin creates a client whose key is shown once, works, and stops working when revoked', async () => {
    const admin = await staffUser(server.db, [site.site.id], 'admin');
    const session = await signIn(server.url, admin.email);
    const created = await api<{ client: { id: string; scopes: string[] }; key: string }>(
      server.url,
      '/admin/api-clients',
      { token: session.accessToken, body: { name: 'EHR', scopes: ['patients:read'] } },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^msk_/);
    const listed = await api<{ clients: Record<string, unknown>[] }>(server.url, '/admin/api-clients', {
      token: session.accessToken,
    });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const clientKey = created.body.key;
    expect((await call('/patients', { token: clientKey })).status).toBe(200);
    const refused = await call('/appointments', { token: clientKey });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'insufficient-scope' } });

    const revoked = await api(server.url, `/admin/api-clients/${created.body.client.id}/revoke`, {
      token: session.accessToken,
      method: 'POST',
    });
    expect(revoked.status).toBe(200);
    expect((await call('/patients', { token: clientKey })).status).toBe(401);

    const audit = await server.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_events WHERE actor_kind = 'apiClient' AND actor_id = $1`,
      [created.body.client.id],
    );
    expect(Number(audit[0]!.n)).toBeGreaterThanOrEqual(2);
  });
});

describe('REST /api/v1', () => {
  it('creates, finds, pages and updates patients, naming bad fields', async () => {
    const bad = await call('/patients', {
      body: { givenName: 'Ana', familyName: 'Silva', dob: '1990-13-40', sex: 'female' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('dob');

    const ids: string[] = [];
    for (const given of ['Ana', 'Bea', 'Cai']) {
      const created = await call<{ id: string; mrn: string }>('/patients', {
        body: { givenName: given, familyName: 'Pager', dob: '1990-01-02', sex: 'female' },
      });
      expect(created.status).toBe(201);
      expect(created.body.mrn).toMatch(/^MRN-/);
      ids.push(created.body.id);
    }
    const first = await call<{ data: { id: string }[]; nextCursor: string }>('/patients?name=pager&limit=2');
    expect(first.body.data).toHaveLength(2);
    const second = await call<{ data: { id: string }[]; nextCursor: string | null }>(
      `/patients?name=pager&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect([...first.body.data, ...second.body.data].map((p) => p.id)).toEqual(ids);
    expect(second.body.nextCursor).toBeNull();

    const updated = await call<{ phone: string }>(`/patients/${ids[0]}`, {
      method: 'PATCH',
      body: { phone: '+1 555 0199' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.phone).toBe('+1 555 0199');
    expect((await call(`/patients/${ids[0]}`)).body).toMatchObject({ phone: '+1 555 0199' });
  });

  it('books free slots, refuses an overlapping booking with 409 slot-taken, reschedules, checks in and cancels', async () => {
    const patient = (await call<{ id: string }>('/patients', { body: { ...patientBody(), givenName: 'Booker' } })).body;
    const slots = await call<{ data: { start: string; end: string }[] }>(
      `/providers/${site.provider.id}/slots?date=${tomorrow}`,
    );
    expect(slots.body.data).toHaveLength(12);
    const [slot] = slots.body.data;
    const booked = await call<{ id: string; status: string }>('/appointments', {
      body: { patientId: patient.id, providerId: site.provider.id, start: slot!.start, visitType: 'check-up' },
    });
    expect(booked.status).toBe(201);
    expect(booked.body.status).toBe('booked');
    const clash = await call('/appointments', {
      body: { patientId: patient.id, providerId: site.provider.id, start: slot!.start, visitType: 'check-up' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ error: { code: 'slot-taken' } });
    const after = await call<{ data: unknown[] }>(`/providers/${site.provider.id}/slots?date=${tomorrow}`);
    expect(after.body.data).toHaveLength(11);

    const moved = await call<{ start: string }>(`/appointments/${booked.body.id}/reschedule`, {
      body: { start: slots.body.data[3]!.start },
    });
    expect(moved.status).toBe(200);
    expect(Date.parse(moved.body.start)).toBe(Date.parse(slots.body.data[3]!.start));

    const listed = await call<{ data: { id: string }[] }>(
      `/appointments?date=${tomorrow}&providerId=${site.provider.id}&status=booked`,
    );
    expect(listed.body.data.map((a) => a.id)).toContain(booked.body.id);

    const checkedIn = await call<{
      appointment: { status: string };
      queueEntry: { status: string; ticketCode: string };
    }>(`/appointments/${booked.body.id}/check-in`, { body: {} });
    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body.appointment.status).toBe('checked-in');
    expect(checkedIn.body.queueEntry).toMatchObject({
      status: 'waiting',
      ticketCode: expect.stringMatching(/^A-\d{3}$/),
    });
    const queue = await call<{ data: unknown[] }>('/queue-entries?queue=reception');
    expect(queue.body.data).toHaveLength(1);

    const other = await call<{ id: string }>('/appointments', {
      body: { patientId: patient.id, providerId: site.provider.id, start: slots.body.data[6]!.start, visitType: 'x' },
    });
    const cancelled = await call<{ status: string }>(`/appointments/${other.body.id}/cancel`, { body: {} });
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('a POST repeated with the same Idempotency-Key creates one record and answers the same', async () => {
    const headers = { 'idempotency-key': `test-${Date.now()}` };
    const body = { ...patientBody(), familyName: 'Idempotent' };
    const first = await call<{ id: string }>('/patients', { body, headers });
    const second = await call<{ id: string }>('/patients', { body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const found = await server.db.query(`SELECT id FROM patients WHERE doc->>'familyName' = 'Idempotent'`);
    expect(found).toHaveLength(1);
    const reused = await call('/patients', { body: { ...body, givenName: 'Other' }, headers });
    expect(reused.status).toBe(422);
  });
});

describe('Idempotency-Key under concurrency', () => {
  it('repeats sent while the first request runs wait for its answer: one record, the same answer for all', async () => {
    const headers = { 'idempotency-key': `concurrent-${Date.now()}` };
    const body = { ...patientBody(), familyName: 'Concurrent' };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call<{ id: string }>('/patients', { body, headers })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    const found = await server.db.query(`SELECT id FROM patients WHERE doc->>'familyName' = 'Concurrent'`);
    expect(found).toHaveLength(1);
  });
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3.1 document, with a readable docs page', async () => {
    const doc = await api<Record<string, unknown>>(server.url, '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const page = await fetch(`${server.url}/api/v1/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/appointments/{id}/check-in');
    expect(html).not.toContain('<script');
  });

  it('every route it lists answers as documented', async () => {
    const doc = (await api<OpenApi>(server.url, '/api/v1/openapi.json')).body;
    const patient = (await call<{ id: string }>('/patients', { body: { ...patientBody(), givenName: 'Doc' } })).body;
    const slot = (
      await call<{ data: { start: string }[] }>(`/providers/${site.provider.id}/slots?date=${tomorrow}`)
    ).body.data.at(-1)!;
    const appointment = (
      await call<{ id: string }>('/appointments', {
        body: { patientId: patient.id, providerId: site.provider.id, start: slot.start, visitType: 'doc' },
      })
    ).body;
    const spare = (
      await call<{ id: string }>('/appointments', {
        body: {
          patientId: patient.id,
          providerId: site.provider.id,
          start: new Date(Date.parse(slot.start) + 21 * 86_400_000).toISOString(),
          visitType: 'doc',
        },
      })
    ).body;
    const hook = (
      await call<{ subscription: { id: string } }>('/webhooks', {
        body: { url: 'http://127.0.0.1:9/hook', events: ['patient.created'] },
      })
    ).body.subscription;
    const billed = await seedBilledVisit(server.db, {
      siteId: site.site.id,
      patientId: patient.id,
      appointmentId: spare.id,
      providerId: site.provider.id,
    });
    const ids: Record<string, string> = {
      '/invoices/{id}': billed.invoiceId,
      '/invoices/{id}/email': billed.invoiceId,
      '/payments/{id}': billed.paymentId,
      '/claims/{id}': billed.claimId,
      '/claims/{id}/status': billed.claimId,
      '/patients/{id}': patient.id,
      '/providers/{id}/slots': site.provider.id,
      '/appointments/{id}': appointment.id,
      '/appointments/{id}/reschedule': appointment.id,
      '/appointments/{id}/cancel': spare.id,
      '/appointments/{id}/check-in': appointment.id,
      '/webhooks/{id}': hook.id,
      '/webhooks/{id}/deliveries': hook.id,
    };
    const bodies: Record<string, unknown> = {
      'post /patients': patientBody(),
      'patch /patients/{id}': { email: 'doc@example.org' },
      'post /appointments': {
        patientId: patient.id,
        providerId: site.provider.id,
        start: new Date(Date.parse(slot.start) + 7 * 86_400_000).toISOString(),
        visitType: 'doc',
      },
      'post /appointments/{id}/reschedule': { start: new Date(Date.parse(slot.start) + 14 * 86_400_000).toISOString() },
      'post /appointments/{id}/check-in': {},
      'post /appointments/{id}/cancel': {},
      'post /queue-entries': { patientId: patient.id },
      'post /webhooks': { url: 'http://127.0.0.1:9/other', events: ['appointment.booked'] },
      'post /claims': { invoiceId: billed.invoiceId },
      'post /invoices/{id}/email': { to: 'doc@example.org' },
      'post /claims/{id}/status': { status: 'submitted' },
    };
    const queries: Record<string, string> = {
      '/providers/{id}/slots': `?date=${tomorrow}`,
      '/reports': `?from=${tomorrow}&to=${tomorrow}`,
    };
    // Order matters where one operation ends what another needs: check in before cancelling, delete last.
    const order = (m: string, p: string) =>
      p.endsWith('/cancel') ? 2 : m === 'delete' ? 3 : p.endsWith('/check-in') ? 1 : 0;
    const operations = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
      .sort((a, b) => order(a.method, a.path) - order(b.method, b.path));
    expect(operations.length).toBeGreaterThanOrEqual(19);
    // Answers are checked against the document's own schemas.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const withBase = JSON.parse(JSON.stringify(doc).replaceAll('"#/components/', '"doc.json#/components/')) as OpenApi;
    ajv.addSchema({ $id: 'doc.json', components: withBase.components }, 'doc.json');
    for (const { path, method, op } of operations) {
      const url = path.replace('{id}', ids[path] ?? '') + (queries[path] ?? '');
      const key = `${method} ${path}`;
      const answer = await call(url, { method: method.toUpperCase(), ...(key in bodies ? { body: bodies[key] } : {}) });
      const success = Object.keys(op.responses).find((s) => s.startsWith('2'))!;
      expect({ key, status: answer.status, body: answer.status >= 300 ? answer.body : null }).toEqual({
        key,
        status: Number(success),
        body: null,
      });
      const schema = withBase.paths[path]![method]!.responses[success]!.content['application/json']!.schema as object;
      const valid = ajv.validate(schema, answer.body);
      expect({ key, errors: valid ? null : ajv.errors }).toEqual({ key, errors: null });
      // Unauthenticated, each answers 401 with the documented error body.
      const refused = await call(url, { method: method.toUpperCase(), token: 'msk_wrong' });
      expect(refused.status).toBe(401);
      const errorSchema = withBase.paths[path]![method]!.responses['401']!.content['application/json']!
        .schema as object;
      expect({ key, errors: ajv.validate(errorSchema, refused.body) ? null : ajv.errors }).toEqual({
        key,
        errors: null,
      });
    }
  });
});

interface OpenApi {
  components: Record<string, unknown>;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>
  >;
}

function patientBody() {
  const { givenName, familyName, dob, sex } = newPatient('00000000-0000-0000-0000-000000000000');
  return { givenName, familyName, dob, sex };
}
