import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { newId } from '../domain/index.js';
import { testPatient } from '../domain/testing/patients.js';
import { openDeviceDatabase } from './database.js';

/** Everything stored in an IndexedDB factory, as text: what someone copying the disk would see. */
async function rawContents(indexedDB: IDBFactory): Promise<string> {
  const chunks: string[] = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name!);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const rows = await new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      chunks.push(JSON.stringify(rows));
    }
    db.close();
  }
  return chunks.join('\n');
}

/** A patient with every field the at-rest encryption covers filled in. */
function patient(siteId: string) {
  return testPatient(siteId, {
    phone: '+1 555 0147',
    email: 'rosa@example.org',
    insurance: { payer: 'Acme Health', memberId: 'ZX-99812', groupNumber: null },
  });
}

describe('patient fields at rest', () => {
  it('are unreadable on disk with a key, and read back with the same key', async () => {
    const indexedDB = new IDBFactory();
    const storage = getRxStorageDexie({ indexedDB, IDBKeyRange });
    const key = 'k'.repeat(32);
    const record = patient(newId());
    const db = await openDeviceDatabase({ name: 'encrypted-desk', storage, deviceId: 'desk-1', encryptionKey: key });
    await db.save('patients', record);
    await db.close();

    const disk = await rawContents(indexedDB);
    expect(disk).toContain('Lindqvist');
    for (const secret of ['555 0147', 'rosa@example.org', 'ZX-99812', 'Acme Health'])
      expect(disk).not.toContain(secret);

    const reopened = await openDeviceDatabase({
      name: 'encrypted-desk',
      storage,
      deviceId: 'desk-1',
      encryptionKey: key,
    });
    const found = (await reopened.rx.patients.findOne(record.id).exec())?.toJSON();
    expect(found).toMatchObject({ phone: '+1 555 0147', email: 'rosa@example.org', insurance: record.insurance });
    await reopened.close();
  });

  it('stay plain without a key (a test or a browser with no keychain), so the difference is the key', async () => {
    const indexedDB = new IDBFactory();
    const db = await openDeviceDatabase({
      name: 'plain-desk',
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
      deviceId: 'desk-1',
    });
    await db.save('patients', patient(newId()));
    await db.close();
    expect(await rawContents(indexedDB)).toContain('555 0147');
  });
});
