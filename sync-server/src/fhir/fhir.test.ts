import { Client } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey, seedSchedule } from '#api-clients/testing';
import { api } from '#auth/testing';
import { seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';

let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let scheduleId: string;
let key: string;
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

interface Bundle {
  resourceType: string;
  type: string;
  link: { relation: string; url: string }[];
  entry?: { resource: { id: string; status?: string; start?: string; resourceType: string } }[];
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
    const capability = (await client.capabilityStatement()) as unknown as { resourceType: string; fhirVersion: string };
    expect(capability).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });

    const patients = (await client.search({
      resourceType: 'Patient',
      searchParams: { name: 'Mari', birthdate: '1975-06-07', _count: 1 },
    })) as unknown as Bundle;
    expect(patients).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(patients.entry).toHaveLength(1);
    const next = (await client.nextPage({ bundle: patients as never })) as unknown as Bundle;
    expect(next.entry).toHaveLength(1);
    expect(next.entry![0]!.resource.id).not.toBe(patients.entry![0]!.resource.id);
    const patientId = patients.entry![0]!.resource.id;
    const full = (await client.read({ resourceType: 'Patient', id: patientId })) as unknown as {
      identifier: { system: string; value: string }[];
    };
    const byMrn = (await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: `urn:medisync:mrn|${full.identifier[0]!.value}` },
    })) as unknown as Bundle;
    expect(byMrn.entry!.map((e) => e.resource.id)).toEqual([patientId]);

    const free = (await client.search({
      resourceType: 'Slot',
      searchParams: { schedule: `Schedule/${scheduleId}`, start: tomorrow, status: 'free' },
    })) as unknown as Bundle;
    expect(free.entry).toHaveLength(12);
    const slot = free.entry![0]!.resource;

    const booked = (await client.create({
      resourceType: 'Appointment',
      body: {
        resourceType: 'Appointment',
        status: 'booked',
        slot: [{ reference: `Slot/${slot.id}` }],
        participant: [{ actor: { reference: `Patient/${patientId}` }, status: 'accepted' }],
      },
    })) as unknown as { id: string; status: string; start: string };
    expect(booked).toMatchObject({ status: 'booked', start: slot.start });

    const busy = (await client.search({
      resourceType: 'Slot',
      searchParams: { schedule: scheduleId, start: tomorrow, status: 'busy' },
    })) as unknown as Bundle;
    expect(busy.entry!.map((e) => e.resource.start)).toEqual([slot.start]);

    await expect(
      client.create({
        resourceType: 'Appointment',
        body: {
          resourceType: 'Appointment',
          status: 'booked',
          slot: [{ reference: `Slot/${slot.id}` }],
          participant: [{ actor: { reference: `Patient/${patientId}` } }],
        },
      }),
    ).rejects.toMatchObject({ response: { status: 409, data: { resourceType: 'OperationOutcome' } } });

    const found = (await client.search({
      resourceType: 'Appointment',
      searchParams: { patient: `Patient/${patientId}`, date: tomorrow, status: 'booked' },
    })) as unknown as Bundle;
    expect(found.entry!.map((e) => e.resource.id)).toEqual([booked.id]);

    const read = (await client.read({ resourceType: 'Appointment', id: booked.id })) as Record<string, unknown>;
    const cancelled = (await client.update({
      resourceType: 'Appointment',
      id: booked.id,
      body: { ...read, resourceType: 'Appointment', status: 'cancelled' },
    })) as unknown as { status: string };
    expect(cancelled.status).toBe('cancelled');
    const freeAgain = (await client.search({
      resourceType: 'Slot',
      searchParams: { schedule: `Schedule/${scheduleId}`, start: tomorrow, status: 'free' },
    })) as unknown as Bundle;
    expect(freeAgain.entry).toHaveLength(12);
  });

  it('answers errors as OperationOutcome and refuses a request without a key', async () => {
    const missing = await fetch(`${server.url}/fhir/R4/Patient/00000000-0000-0000-0000-000000000000`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/fhir+json');
    expect(await missing.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const anonymous = await fetch(`${server.url}/fhir/R4/Patient`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});
