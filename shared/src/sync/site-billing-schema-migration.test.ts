import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createRxDatabase } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { describe, expect, it } from 'vitest';
import { changeRecord, createRecord, HybridClock, newId } from '../domain/index.js';
import { openDeviceDatabase } from './database.js';
import { rxSchemaOf } from './rx-schema.js';

/**
 * Sites version 3 added the optional `billing` choices (docs/architecture.md
 * §9.7). A replica written by version 2 must open with every site kept exactly
 * as it was, on a desk and on a kiosk, and then store a site's choice.
 */
describe('sites schema version 3 (billing choices)', () => {
  for (const role of ['desk', 'kiosk'] as const) {
    it(`opens a ${role} replica written by version 2 with its site kept, then stores the site's choice`, async () => {
      const clock = new HybridClock('admin-1');
      const site = createRecord(
        'sites',
        { id: newId(), name: 'Riverside', timezone: 'America/New_York', queuePrefixes: { reception: 'A' } },
        clock,
        { id: 'admin-1', role: 'admin', source: 'desk' },
      );
      const current = rxSchemaOf('sites', role);
      const { billing: _added, ...properties } = current.properties;
      const storage = getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange });
      const name = `${role}-before-site-billing`;
      const older = await createRxDatabase({ name, storage, multiInstance: false });
      await older.addCollections({ sites: { schema: { ...current, version: 2, properties } } });
      await older.sites!.insert(site);
      await older.close();

      const db = await openDeviceDatabase({ name, storage, deviceId: 'device-1', role, collections: ['sites'] });
      expect((await db.rx.sites.findOne(site.id).exec())?.toJSON()).toEqual(site);
      const chosen = changeRecord('sites', site, { billing: { kioskPayments: true } }, clock);
      await db.save('sites', chosen);
      expect((await db.rx.sites.findOne(site.id).exec())?.toJSON()).toEqual(chosen);
      await db.close();
    });
  }
});
