import { changeRecord, HybridClock, newId } from '@medisync/shared/domain';
import { openDeviceDatabase, type DeviceDatabase } from '@medisync/shared/sync';
import { testPatient } from '@medisync/shared/testing';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { firstValueFrom, skip } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { plainDoc } from './plain-doc.js';

const clock = new HybridClock('desk-1');

describe('plainDoc: a live list keeps the records that did not change', () => {
  let db: DeviceDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('gives the same object for a record unchanged between two results, and a new one with the change for a changed record', async () => {
    db = await openDeviceDatabase({
      name: `plain-doc-${newId()}`,
      storage: getRxStorageMemory(),
      deviceId: 'desk-1',
      collections: ['patients'],
    });
    const siteId = newId();
    const [lindqvist, okafor] = [
      testPatient(siteId, { familyName: 'Lindqvist' }),
      testPatient(siteId, { familyName: 'Okafor' }),
    ];
    await db.save('patients', lindqvist);
    await db.save('patients', okafor);
    const list$ = db.rx.patients.find({ sort: [{ familyName: 'asc' }], limit: 10 }).$;
    const before = (await firstValueFrom(list$)).map(plainDoc);

    const next = firstValueFrom(list$.pipe(skip(1)));
    await db.save('patients', changeRecord('patients', okafor, { phone: '+1 555 0100' }, clock));
    const after = (await next).map(plainDoc);

    expect(after.map((p) => p.familyName)).toEqual(['Lindqvist', 'Okafor']);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]!.phone).toBe('+1 555 0100');
  });
});
