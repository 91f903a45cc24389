import {
  createRecord,
  HybridClock,
  newId,
  type Actor,
  type CollectionName,
  type NewRecord,
} from '@medisync/shared/domain';
import type { Db } from '#db/db';
import { enrolledDevice } from '#auth/testing';
import type { DeviceRole } from '#devices/queries';
import type { TokenService } from '#auth/tokens';
import { writeRecords } from '#sync/store';
import { tableOf } from '#sync/tables';

const clock = new HybridClock('fixtures');
const seeder: Actor = { id: 'fixtures', role: 'server', source: 'server' };

/** A site with one provider, written by the server as an admin would. */
export async function seedSite(db: Db, name = 'Test Clinic', timezone = 'UTC') {
  const site = createRecord('sites', { id: newId(), name, timezone, queuePrefixes: { reception: 'A' } }, clock, seeder);
  const provider = createRecord(
    'providers',
    { id: newId(), siteIds: [site.id], displayName: 'Dr. Test', specialty: 'Family medicine', active: true },
    clock,
    seeder,
  );
  await writeRecords(db, 'sites', [site]);
  await writeRecords(db, 'providers', [provider]);
  return { site, provider };
}

/** The token of a device enrolled at the site: the server checks every token against its devices. */
export async function deviceToken(server: { db: Db; tokens: TokenService }, siteId: string, role: DeviceRole = 'desk') {
  return (await enrolledDevice(server, siteId, role)).token;
}

let patientCounter = 0;
export function newPatient(siteId: string, overrides: Partial<NewRecord<'patients'>> = {}): NewRecord<'patients'> {
  patientCounter += 1;
  return {
    id: newId(),
    siteId,
    mrn: null,
    givenName: `Given${patientCounter}`,
    familyName: `Family${patientCounter}`,
    dob: '1984-03-12',
    sex: 'female',
    phone: '+1 555 0100',
    email: null,
    address: null,
    preferredLanguage: 'en',
    insurance: null,
    active: true,
    mergedInto: null,
    ...overrides,
  };
}

export function newAppointment(
  siteId: string,
  patientId: string,
  providerId: string,
  start: Date,
  minutes = 20,
): NewRecord<'appointments'> {
  return {
    id: newId(),
    siteId,
    patientId,
    providerId,
    roomId: null,
    start: start.toISOString(),
    end: new Date(start.getTime() + minutes * 60_000).toISOString(),
    visitType: 'follow-up',
    status: 'booked',
    copayCents: null,
    notes: null,
  } as NewRecord<'appointments'>;
}

/** Every live record of a site on the server, per collection, in the form `SimulatedDevice.dump` gives. */
export async function serverDump(db: Db, siteId: string, collections: readonly CollectionName[]) {
  const { canonicalJson } = await import('@medisync/shared/domain');
  const out: Record<string, string[]> = {};
  for (const name of collections) {
    const rows = await db.query<{ doc: object; deleted: boolean }>(
      `SELECT doc, deleted FROM ${tableOf[name]} WHERE site_ids @> ARRAY[$1::uuid] AND NOT deleted`,
      [siteId],
    );
    out[name] = rows.map((r) => canonicalJson({ ...r.doc, _deleted: r.deleted })).sort();
  }
  return out;
}

/** Retries an assertion until it holds or the time is up; the last failure is thrown. */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 20_000, intervalMs = 150) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
