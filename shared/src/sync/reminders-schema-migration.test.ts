import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createRxDatabase } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import {
  createRecord,
  HybridClock,
  newId,
  projectKioskAppointment,
  type CollectionName,
  type ReplicaRole,
} from '../domain/index.js';
import { openDeviceDatabase } from './database.js';
import { rxSchemaOf } from './rx-schema.js';

/**
 * Version 2 of sites, patients and appointments added only optional fields
 * (reminders, docs/architecture.md §9.6). A replica written by version 1 must
 * open with every record kept exactly as it was, on a desk and on a kiosk.
 */

const clock = new HybridClock('desk-1');
const desk = { id: 'desk-1', role: 'desk' as const, source: 'desk' as const };
const siteId = newId();

const site = createRecord(
  'sites',
  { id: siteId, name: 'Riverside', timezone: 'America/New_York', queuePrefixes: { reception: 'A' } },
  clock,
  desk,
);
const patient = createRecord(
  'patients',
  {
    id: newId(),
    siteId,
    mrn: 'MRN-000002',
    givenName: 'Thanh',
    familyName: 'Nguyen',
    dob: '1955-11-20',
    sex: 'male',
    phone: '+1 555 0100',
    email: null,
    address: null,
    preferredLanguage: 'vi',
    insurance: null,
    active: true,
    mergedInto: null,
  },
  clock,
  desk,
);
const appointment = createRecord(
  'appointments',
  {
    id: newId(),
    siteId,
    patientId: patient.id,
    providerId: newId(),
    roomId: null,
    start: '2026-03-02T14:00:00.000Z',
    end: '2026-03-02T14:15:00.000Z',
    visitType: 'follow-up',
    status: 'booked',
    copayCents: null,
    notes: null,
  },
  clock,
  desk,
);

const added: Partial<Record<CollectionName, string[]>> = {
  sites: ['reminders', 'address'],
  patients: ['contactConsent'],
  appointments: ['checkInCodeHash', 'reminderConfirmedAt'],
};

/** The collection's schema as version 1 stored it: today's, less the fields version 2 added. */
function versionOne(name: CollectionName, role: ReplicaRole) {
  const current = rxSchemaOf(name, role);
  const properties = Object.fromEntries(
    Object.entries(current.properties).filter(([field]) => !(added[name] ?? []).includes(field)),
  );
  return { ...current, version: 1, properties };
}

describe('sites, patients and appointments schema version 2 (reminders)', () => {
  it('opens a desk replica written by version 1 with every record kept as it was', async () => {
    const storage = getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange });
    const older = await createRxDatabase({ name: 'desk-before-reminders', storage, multiInstance: false });
    await older.addCollections({
      sites: { schema: versionOne('sites', 'desk') },
      patients: { schema: versionOne('patients', 'desk') },
      appointments: { schema: versionOne('appointments', 'desk') },
    });
    await older.sites!.insert(site);
    await older.patients!.insert(patient);
    await older.appointments!.insert(appointment);
    await older.close();

    const db = await openDeviceDatabase({
      name: 'desk-before-reminders',
      storage,
      deviceId: 'desk-1',
      collections: ['sites', 'patients', 'appointments'],
    });
    expect((await db.rx.sites.findOne(site.id).exec())?.toJSON()).toEqual(site);
    expect((await db.rx.patients.findOne(patient.id).exec())?.toJSON()).toEqual(patient);
    expect((await db.rx.appointments.findOne(appointment.id).exec())?.toJSON()).toEqual(appointment);
    await db.close();
  });

  it("opens a kiosk replica written by version 1 with today's appointments kept as they were", async () => {
    const storage = getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange });
    const projected = projectKioskAppointment(appointment, {
      patient,
      provider: { displayName: 'Dr. Ada' },
    });
    const older = await createRxDatabase({ name: 'kiosk-before-reminders', storage, multiInstance: false });
    await older.addCollections({ appointments: { schema: versionOne('appointments', 'kiosk') } });
    await older.appointments!.insert(projected);
    await older.close();

    const db = await openDeviceDatabase({
      name: 'kiosk-before-reminders',
      storage,
      deviceId: 'kiosk-1',
      role: 'kiosk',
      collections: ['appointments'],
    });
    expect((await db.rx.appointments.findOne(appointment.id).exec())?.toJSON()).toEqual(projected);
    await db.close();
  });
});
