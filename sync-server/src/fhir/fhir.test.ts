import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { addDays, localDateAt, localTimeAt } from '@medisync/shared/domain';
import express from 'express';
import { Client } from 'fhir-kit-client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey, seedSchedule } from '#api-clients/testing';
import { api } from '#auth/testing';
import { seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';
import { HttpError } from '#http/errors';
import { operationOutcomeErrors } from './outcome.js';
import { expectValidFhir, fhir } from './testing.js';

let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let scheduleId: string;
let key: string;
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

interface Bundle {
  resourceType: string;
  type: string;
  link: { relation: string; url: string }[];
  entry?: {
    resource: { id: string; status?: string; start?: string; resourceType: string };
    search?: { mode: string };
  }[];
}

beforeAll(async () => {
  server = await startTestServer();
  site = await seedSite(server.db);
  scheduleId = (await seedSchedule(server.db, site.site.id, site.provider.id)).id;
  key = await apiClientKey(server.db, site.site.id);
  for (const given of ['Maria', 'Mario', 'Zoe']) {
    await api(server.url, '/api/v1/patients', {
      token: key,
      body: { givenName: given, familyName: 'Fhirson', dob: '1975-06-07', sex: 'female' },
    });
  }
});
afterAll(async () => {
  await server?.close();
});

describe('FHIR R4 with a FHIR client not written for MediSync (fhir-kit-client)', () => {
  it('reads the CapabilityStatement, searches patients and free slots, books an appointment and cancels it', async () => {
    const client = new Client({
      baseUrl: `${server.url}/fhir/R4`,
      customHeaders: { Authorization: `Bearer ${key}` },
    });
    const capability = expectValidFhir(await client.capabilityStatement()) as unknown as {
      resourceType: string;
      fhirVersion: string;
    };
    expect(capability).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });

    const patients = expectValidFhir(
      await client.search({
        resourceType: 'Patient',
        searchParams: { name: 'Mari', birthdate: '1975-06-07', _count: 1 },
      }),
    ) as unknown as Bundle;
    expect(patients).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(patients.entry).toHaveLength(1);
    const next = expectValidFhir(await client.nextPage({ bundle: patients as never })) as unknown as Bundle;
    expect(next.entry).toHaveLength(1);
    expect(next.entry![0]!.resource.id).not.toBe(patients.entry![0]!.resource.id);
    const patientId = patients.entry![0]!.resource.id;
    const full = expectValidFhir(await client.read({ resourceType: 'Patient', id: patientId })) as unknown as {
      identifier: { system: string; value: string }[];
    };
    const byMrn = expectValidFhir(
      await client.search({
        resourceType: 'Patient',
        searchParams: { identifier: `urn:medisync:mrn|${full.identifier[0]!.value}` },
      }),
    ) as unknown as Bundle;
    expect(byMrn.entry!.map((e) => e.resource.id)).toEqual([patientId]);

    const free = expectValidFhir(
      await client.search({
        resourceType: 'Slot',
        searchParams: { schedule: `Schedule/${scheduleId}`, start: tomorrow, status: 'free' },
      }),
    ) as unknown as Bundle;
    expect(free.entry).toHaveLength(12);
    const slot = free.entry![0]!.resource;

    const booked = expectValidFhir(
      await client.create({
        resourceType: 'Appointment',
        body: {
          resourceType: 'Appointment',
          status: 'booked',
          slot: [{ reference: `Slot/${slot.id}` }],
          participant: [{ actor: { reference: `Patient/${patientId}` }, status: 'accepted' }],
        },
      }),
    ) as unknown as { id: string; status: string; start: string };
    expect(booked).toMatchObject({ status: 'booked', start: slot.start });

    const busy = expectValidFhir(
      await client.search({
        resourceType: 'Slot',
        searchParams: { schedule: scheduleId, start: tomorrow, status: 'busy' },
      }),
    ) as unknown as Bundle;
    expect(busy.entry!.map((e) => e.resource.start)).toEqual([slot.start]);

    const refused = (await client
      .create({
        resourceType: 'Appointment',
        body: {
          resourceType: 'Appointment',
          status: 'booked',
          slot: [{ reference: `Slot/${slot.id}` }],
          participant: [{ actor: { reference: `Patient/${patientId}` } }],
        },
      })
      .then(
        () => null,
        (error: { response: { status: number; data: unknown } }) => error.response,
      ))!;
    expect(refused).toMatchObject({ status: 409, data: { resourceType: 'OperationOutcome' } });
    expectValidFhir(refused.data);

    const found = expectValidFhir(
      await client.search({
        resourceType: 'Appointment',
        searchParams: { patient: `Patient/${patientId}`, date: tomorrow, status: 'booked' },
      }),
    ) as unknown as Bundle;
    expect(found.entry!.map((e) => e.resource.id)).toEqual([booked.id]);

    const read = expectValidFhir(await client.read({ resourceType: 'Appointment', id: booked.id })) as Record<
      string,
      unknown
    >;
    const cancelled = expectValidFhir(
      await client.update({
        resourceType: 'Appointment',
        id: booked.id,
        body: { ...read, resourceType: 'Appointment', status: 'cancelled' },
      }),
    ) as unknown as { status: string };
    expect(cancelled.status).toBe('cancelled');
    const freeAgain = expectValidFhir(
      await client.search({
        resourceType: 'Slot',
        searchParams: { schedule: `Schedule/${scheduleId}`, start: tomorrow, status: 'free' },
      }),
    ) as unknown as Bundle;
    expect(freeAgain.entry).toHaveLength(12);
  });

  it('answers errors as OperationOutcome and refuses a request without a key', async () => {
    const missing = await fetch(`${server.url}/fhir/R4/Patient/00000000-0000-0000-0000-000000000000`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/fhir+json');
    expect(expectValidFhir(await missing.json())).toMatchObject({ resourceType: 'OperationOutcome' });
    const anonymous = await fetch(`${server.url}/fhir/R4/Patient`);
    expect(anonymous.status).toBe(401);
    expect(expectValidFhir(await anonymous.json())).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});

describe('FHIR searches as an integrator uses them, at a clinic in America/New_York', () => {
  const NEW_YORK = 'America/New_York';
  let ny: Awaited<ReturnType<typeof seedSite>>;
  let nyKey: string;
  let nySchedule: string;
  let base: string;
  // A Monday at least a week ahead, and the days after it (site-local calendar dates).
  const monday = (() => {
    const day = new Date(Date.now() + 7 * 86_400_000);
    day.setUTCDate(day.getUTCDate() + ((8 - day.getUTCDay()) % 7));
    return day.toISOString().slice(0, 10);
  })();
  const plus = (days: number) => addDays(monday, days);
  const get = <T = Bundle>(path: string, options: Parameters<typeof fhir>[2] = {}) =>
    fhir<T>(base, path, { token: nyKey, ...options });
  const ids = (bundle: Bundle, mode = 'match') =>
    (bundle.entry ?? []).filter((e) => (e.search?.mode ?? 'match') === mode).map((e) => e.resource.id);
  const patients: Record<string, string> = {};
  const appointments: string[] = [];

  beforeAll(async () => {
    base = `${server.url}/fhir/R4`;
    ny = await seedSite(server.db, 'Brooklyn Clinic', NEW_YORK);
    nySchedule = (await seedSchedule(server.db, ny.site.id, ny.provider.id)).id;
    nyKey = await apiClientKey(server.db, ny.site.id);
    for (const [given, dob] of [
      ['Before', '1988-04-13'],
      ['Same', '1988-04-14'],
      ['After', '1990-06-01'],
    ] as const) {
      const created = await api<{ id: string }>(server.url, '/api/v1/patients', {
        token: nyKey,
        body: { givenName: given, familyName: 'Datewise', dob, sex: 'other' },
      });
      patients[given] = created.body.id;
    }
    // One appointment at 09:00 local on Monday and one on Tuesday.
    for (const day of [monday, plus(1)]) {
      const slots = await api<{ data: { start: string }[] }>(
        server.url,
        `/api/v1/providers/${ny.provider.id}/slots?date=${day}`,
        { token: nyKey },
      );
      const booked = await api<{ id: string }>(server.url, '/api/v1/appointments', {
        token: nyKey,
        body: {
          patientId: patients.Same,
          providerId: ny.provider.id,
          start: slots.body.data[0]!.start,
          visitType: 'x',
        },
      });
      appointments.push(booked.body.id);
    }
  });

  it('Slot?start=YYYY-MM-DD is that site-local day, and the CapabilityStatement says so', async () => {
    const free = await get(`/Slot?schedule=${nySchedule}&start=${monday}&status=free`);
    expect(free.status).toBe(200);
    expect(free.body.entry).toHaveLength(11);
    for (const e of free.body.entry!) expect(localDateAt(new Date(e.resource.start!), NEW_YORK)).toBe(monday);
    expect(localTimeAt(new Date(free.body.entry![0]!.resource.start!), NEW_YORK)).toBe('09:15');
    const metadata = await fhir<{ rest: { documentation: string }[] }>(base, '/metadata');
    expect(metadata.body.rest[0]!.documentation).toContain('site-local');
  });

  it('a range search with repeated start parameters pages through its links to the end', async () => {
    const seen: string[] = [];
    let url = `/Slot?schedule=Schedule/${nySchedule}&start=ge${monday}&start=lt${plus(2)}&_count=5`;
    for (let pages = 0; pages < 10; pages++) {
      const page = await get(url);
      expect(page.status).toBe(200);
      for (const link of page.body.link) expect(new URL(link.url).searchParams.getAll('start')).toHaveLength(2);
      seen.push(...ids(page.body));
      const next = page.body.link.find((l) => l.relation === 'next');
      if (next === undefined) break;
      url = next.url.slice(base.length);
    }
    expect(seen).toHaveLength(24);
    expect(new Set(seen).size).toBe(24);
  });

  it('date parameters take every FHIR prefix and partial dates', async () => {
    const born = async (query: string) => {
      const answer = await get(`/Patient?family=Datewise&${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 200 });
      return ids(answer.body)
        .map((id) => Object.keys(patients).find((k) => patients[k] === id))
        .sort();
    };
    expect(await born('birthdate=ge1988-04-14')).toEqual(['After', 'Same']);
    expect(await born('birthdate=gt1988-04-14')).toEqual(['After']);
    expect(await born('birthdate=lt1988-04-14')).toEqual(['Before']);
    expect(await born('birthdate=le1988-04-14')).toEqual(['Before', 'Same']);
    expect(await born('birthdate=ne1988-04-14')).toEqual(['After', 'Before']);
    expect(await born('birthdate=eq1988-04-14')).toEqual(['Same']);
    expect(await born('birthdate=sa1988')).toEqual(['After']);
    expect(await born('birthdate=eb1990')).toEqual(['Before', 'Same']);
    expect(await born('birthdate=1988-04')).toEqual(['Before', 'Same']);
    expect(await born('birthdate=1990')).toEqual(['After']);
    expect(await born('birthdate=ap1988-04-14')).toContain('Same');
    expect(await born('birthdate=ge1988-04-14&birthdate=lt1990')).toEqual(['Same']);

    const on = async (query: string) => ids((await get(`/Appointment?patient=${patients.Same}&${query}`)).body);
    expect(await on(`date=lt${plus(1)}`)).toEqual([appointments[0]]);
    expect(await on(`date=ge${plus(1)}`)).toEqual([appointments[1]]);
    expect(await on(`date=ne${monday}`)).toEqual([appointments[1]]);
    expect(await on(`date=${monday}`)).toEqual([appointments[0]]);
    expect(await on(`date=ge${monday}&date=le${plus(1)}`)).toEqual(appointments);
    expect(await on(`date=${monday.slice(0, 4)}`)).toContain(appointments[0]);

    const bad = await get('/Appointment?date=tomorrow');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('date');
  });

  it('an identifier of another system matches nothing; an MRN finds its patient', async () => {
    const other = await get('/Patient?identifier=http://hospital.example/mrn|12345');
    expect(other.status).toBe(200);
    expect(other.body.entry).toBeUndefined();
    const noSystem = await get('/Patient?identifier=|12345');
    expect(noSystem.status).toBe(200);
  });

  it('JSON has no empty arrays: a patient without phone or email has no telecom', async () => {
    const read = await get<Record<string, unknown>>(`/Patient/${patients.Before}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('telecom');
  });

  it('a Slot search wider than 31 days is refused with an OperationOutcome, a narrower one answers', async () => {
    const wide = await get<{ resourceType: string; issue: { code: string; diagnostics: string }[] }>(
      `/Slot?start=ge${monday}&start=lt${addDays(monday, 3 * 365)}&status=busy`,
    );
    expect(wide.status).toBe(400);
    expect(wide.body.issue[0]).toMatchObject({ code: 'too-costly' });
    expect(wide.body.issue[0]!.diagnostics).toContain('31');
    const month = await get(
      `/Slot?schedule=${nySchedule}&start=ge${monday}&start=lt${addDays(monday, 31)}&status=busy`,
    );
    expect(month.status).toBe(200);
    expect(ids(month.body)).toHaveLength(2);
    const metadata = await fhir<{ rest: { documentation: string }[] }>(base, '/metadata');
    expect(metadata.body.rest[0]!.documentation).toContain('at most 31');
  });

  it('_include, _revinclude, _summary=count and _count limits', async () => {
    const withRefs = await get(
      `/Appointment?date=${monday}&_include=Appointment:patient&_include=Appointment:practitioner`,
    );
    expect(ids(withRefs.body)).toEqual([appointments[0]]);
    expect(ids(withRefs.body, 'include').sort()).toEqual([patients.Same, ny.provider.id].sort());
    const rev = await get(`/Patient?family=Datewise&given=Same&_revinclude=Appointment:patient`);
    expect(ids(rev.body)).toEqual([patients.Same]);
    expect(ids(rev.body, 'include').sort()).toEqual([...appointments].sort());
    const unknown = await get(`/Appointment?_include=Appointment:slot`);
    expect(unknown.status).toBe(400);

    const counted = await get<Bundle & { total: number }>('/Patient?family=Datewise&_summary=count');
    expect(counted.body.total).toBe(3);
    expect(counted.body.entry).toBeUndefined();
    const slotsCounted = await get<Bundle & { total: number }>(`/Slot?schedule=${nySchedule}&start=${monday}&_count=0`);
    expect(slotsCounted.body.total).toBe(12);
    expect((await get('/Patient?_count=201')).status).toBe(400);

    const capability = await fhir<{
      rest: {
        documentation: string;
        resource: {
          type: string;
          searchInclude?: string[];
          searchRevInclude?: string[];
          interaction: { code: string }[];
        }[];
      }[];
    }>(base, '/metadata');
    const resources = capability.body.rest[0]!.resource;
    expect(resources.find((r) => r.type === 'Appointment')!.searchInclude).toEqual(
      expect.arrayContaining(['Appointment:patient', 'Appointment:practitioner']),
    );
    expect(resources.find((r) => r.type === 'Patient')!.searchRevInclude).toContain('Appointment:patient');
    expect(capability.body.rest[0]!.documentation).toMatch(/at most 200/);
  });

  it('PATCH (JSON Patch) changes an appointment’s status with the same lifecycle rules as update', async () => {
    const slots = await api<{ data: { start: string }[] }>(
      server.url,
      `/api/v1/providers/${ny.provider.id}/slots?date=${plus(3)}`,
      { token: nyKey },
    );
    const booked = await api<{ id: string }>(server.url, '/api/v1/appointments', {
      token: nyKey,
      body: { patientId: patients.After, providerId: ny.provider.id, start: slots.body.data[0]!.start, visitType: 'x' },
    });
    const id = booked.body.id;
    const patch = (ops: unknown, contentType = 'application/json-patch+json') =>
      get<{ status?: string; issue?: { code: string }[] }>(`/Appointment/${id}`, {
        method: 'PATCH',
        body: ops,
        contentType,
      });
    expect(
      (await patch([{ op: 'replace', path: '/status', value: 'cancelled' }], 'application/fhir+json')).status,
    ).toBe(415);
    const failedTest = await patch([
      { op: 'test', path: '/status', value: 'pending' },
      { op: 'replace', path: '/status', value: 'cancelled' },
    ]);
    expect(failedTest.body).toMatchObject({ issue: [{ code: 'business-rule' }] });
    expect(failedTest.status).toBe(422);
    expect((await patch([{ op: 'add', path: '/comment', value: 'changed' }])).status).toBe(422);
    expect((await patch([{ op: 'replace', path: '/comment', value: 'changed' }])).status).toBe(400);
    const cancelled = await patch([
      { op: 'test', path: '/status', value: 'booked' },
      { op: 'replace', path: '/status', value: 'cancelled' },
    ]);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const back = await patch([{ op: 'replace', path: '/status', value: 'fulfilled' }]);
    expect(back.status).toBe(409);
    expect(back.body.issue![0]!.code).toBe('conflict');
    const capability = await fhir<{
      patchFormat: string[];
      rest: { resource: { type: string; interaction: { code: string }[] }[] }[];
    }>(base, '/metadata');
    expect(capability.body.patchFormat).toContain('application/json-patch+json');
    expect(
      capability.body.rest[0]!.resource.find((r) => r.type === 'Appointment')!.interaction.map((i) => i.code),
    ).toContain('patch');
  });

  it('an oversized body is an OperationOutcome 413, whatever its content type', async () => {
    for (const contentType of ['application/fhir+json', 'application/json']) {
      const big = await get<{ resourceType: string; issue: { code: string }[] }>('/Appointment', {
        method: 'POST',
        rawBody: JSON.stringify({ resourceType: 'Appointment', comment: 'x'.repeat(1_100_000) }),
        contentType,
      });
      expect({ contentType, status: big.status }).toEqual({ contentType, status: 413 });
      expect(big.body.issue[0]!.code).toBe('too-long');
    }
  });
});

describe('OperationOutcome for errors no route expects', () => {
  it('a bug answers 500 and a rate limit 429 with Retry-After, both as OperationOutcome', async () => {
    const app = express();
    app.get('/bug', () => {
      throw new Error('secret internals');
    });
    app.get('/busy', () => {
      throw new HttpError(429, 'rate-limited', 'too many requests', {}, { 'retry-after': '7' });
    });
    app.use(operationOutcomeErrors(pino({ level: 'silent' })));
    const listener = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    const local = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      const bug = await fhir<{ issue: { code: string; diagnostics: string }[] }>(local, '/bug');
      expect(bug.status).toBe(500);
      expect(bug.body.issue[0]!.code).toBe('exception');
      expect(JSON.stringify(bug.body)).not.toContain('secret internals');
      const busy = await fhir<{ issue: { code: string }[] }>(local, '/busy');
      expect(busy.status).toBe(429);
      expect(busy.headers.get('retry-after')).toBe('7');
      expect(busy.body.issue[0]!.code).toBe('throttled');
    } finally {
      listener.close();
    }
  });
});
