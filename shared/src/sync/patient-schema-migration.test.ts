import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createRxDatabase } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { createRecord, HybridClock, newId } from '../domain/index.js';
import { openDeviceDatabase } from './database.js';
import { rxSchemaOf } from './rx-schema.js';

describe('patients schema version 1 (mergeRecord)', () => {
  it('opens a replica written by version 0 with every patient kept as it was', async () => {
    const storage = getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange });
    const current = rxSchemaOf('patients');
    const { mergeRecord: _added, ...olderProperties } = current.properties;
    void _added;
    const older = await createRxDatabase({ name: 'desk-before-merges', storage, multiInstance: false });
    await older.addCollections({ patients: { schema: { ...current, version: 0, properties: olderProperties } } });
    const { mergeRecord: _none, ...patient } = createRecord(
      'patients',
      {
        id: newId(),
        siteId: newId(),
        mrn: 'MRN-000001',
        givenName: 'Ines',
        familyName: 'Álvarez',
        dob: '1960-02-29',
        sex: 'female',
        phone: null,
        email: null,
        address: null,
        preferredLanguage: 'es',
        insurance: null,
        active: true,
        mergedInto: null,
      },
      new HybridClock('desk-1'),
      { id: 'desk-1', role: 'desk', source: 'desk' },
    );
    void _none;
    await older.patients!.insert(patient);
    await older.close();

    const db = await openDeviceDatabase({ name: 'desk-before-merges', storage, deviceId: 'desk-1' });
    const migrated = await db.rx.patients.findOne(patient.id).exec();
    expect(migrated?.toJSON()).toEqual(patient);
    await db.close();
  });
});
