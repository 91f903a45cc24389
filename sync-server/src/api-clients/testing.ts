import { createRecord, HybridClock, newId, type Actor } from '@medisync/shared/domain';
import type { Db } from '#db/db';
import { writeRecords } from '#sync/store';
import { scopes, type Scope } from './scopes.js';
import { createApiClient } from './service.js';

/** Test helpers: an API client as an admin would have made it. */
export async function apiClientKey(db: Db, siteId: string, granted: readonly Scope[] = scopes): Promise<string> {
  return (await createApiClient(db, { siteId, name: 'test integration', scopes: [...granted], createdBy: null })).key;
}

const clock = new HybridClock('fixtures-api');
const seeder: Actor = { id: 'fixtures', role: 'server', source: 'server' };

/** A provider's schedule: every weekday 09:00-12:00 in 15-minute slots. */
export async function seedSchedule(db: Db, siteId: string, providerId: string) {
  const schedule = createRecord(
    'schedules',
    {
      id: newId(),
      siteId,
      providerId,
      slotMinutes: 15,
      weeklyHours: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '12:00' })),
      exceptions: [],
    },
    clock,
    seeder,
  );
  await writeRecords(db, 'schedules', [schedule]);
  return schedule;
}
