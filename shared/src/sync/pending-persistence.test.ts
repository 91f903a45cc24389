import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { newId } from '../domain/index.js';
import { testPatient } from '../domain/testing/patients.js';
import { openDeviceDatabase } from './database.js';

describe('the pending changes of a device', () => {
  it('are stored as they change, so a desk stopped without closing still shows them pending when reopened', async () => {
    const indexedDB = new IDBFactory();
    const open = () =>
      openDeviceDatabase({
        name: 'pending-persistence',
        storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
        deviceId: 'desk-1',
        collections: ['patients'],
      });
    const db = await open();
    const siteId = newId();
    await db.save('patients', testPatient(siteId));
    await db.save('patients', testPatient(siteId, { familyName: 'Okafor' }));
    expect(db.pending.size).toBe(2);
    // Stored in the background, after the writes they record.
    const stored = async () =>
      ((await db.rx.getLocal<{ entries: unknown[] }>('sync-pending'))?.get('entries') ?? []).length;
    await expect.poll(stored).toBe(2);

    // RxDB's own close, not the device's, which would store the set once more on its way out.
    await db.rx.close();
    const reopened = await open();
    expect(reopened.pending.size).toBe(2);
    await reopened.close();
  });
});
