import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createRxDatabase } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { changeRecord, createRecord, HybridClock, newId, type CollectionName } from '../domain/index.js';
import { openDeviceDatabase } from './database.js';
import { rxSchemaOf } from './rx-schema.js';

/**
 * Rooms version 2 added the optional `equipmentState`, appointments version 3
 * the optional, server-written `noShowRisk` (docs/architecture.md §9.8). A desk
 * replica written before must open with every record kept exactly as it was,
 * and then store the new fields.
 */

const clock = new HybridClock('desk-1');
const desk = { id: 'desk-1', role: 'desk' as const, source: 'desk' as const };
const siteId = newId();

const room = createRecord(
  'rooms',
  { id: newId(), siteId, name: 'Exam 2', kind: 'exam', equipment: ['ECG machine'], status: 'available' },
  clock,
  desk,
);
const appointment = createRecord(
  'appointments',
  {
    id: newId(),
    siteId,
    patientId: newId(),
    providerId: newId(),
    roomId: null,
    start: '2026-03-02T14:00:00.000Z',
    end: '2026-03-02T14:15:00.000Z',
    visitType: 'ecg',
    status: 'booked',
    copayCents: null,
    notes: null,
  },
  clock,
  desk,
);

/** The schema as the previous version stored it: today's, less the field this version added. */
function previous(name: CollectionName, field: string) {
  const current = rxSchemaOf(name, 'desk');
  const { [field]: _added, ...properties } = current.properties;
  return { ...current, version: current.version - 1, properties };
}

describe('rooms schema version 2 and appointments version 3 (facility, no-show risk)', () => {
  it('opens a desk replica written by the previous versions with every record kept, then stores the new fields', async () => {
    const storage = getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange });
    const older = await createRxDatabase({ name: 'desk-before-facility', storage, multiInstance: false });
    await older.addCollections({
      rooms: { schema: previous('rooms', 'equipmentState') },
      appointments: { schema: previous('appointments', 'noShowRisk') },
    });
    await older.rooms!.insert(room);
    await older.appointments!.insert(appointment);
    await older.close();

    const db = await openDeviceDatabase({
      name: 'desk-before-facility',
      storage,
      deviceId: 'desk-1',
      collections: ['rooms', 'appointments'],
    });
    expect((await db.rx.rooms.findOne(room.id).exec())?.toJSON()).toEqual(room);
    expect((await db.rx.appointments.findOne(appointment.id).exec())?.toJSON()).toEqual(appointment);

    const serviced = changeRecord(
      'rooms',
      room,
      {
        equipmentState: [
          {
            name: 'ECG machine',
            status: 'in-service',
            maintenance: [
              { start: '2026-03-02T13:00:00.000Z', end: '2026-03-02T17:00:00.000Z', reason: 'Calibration' },
            ],
          },
        ],
      },
      clock,
    );
    await db.save('rooms', serviced);
    expect((await db.rx.rooms.findOne(room.id).exec())?.toJSON()).toEqual(serviced);
    await db.close();
  });
});
