import { collectionNames } from '@medisync/shared/domain';
import { expect } from 'vitest';
import type { Db } from '#db/db';
import { eventually, serverDump } from '#testing/fixtures';
import type { SimulatedDevice } from '#testing/simulated-device';

/**
 * Waits until every device's replica holds exactly what the server holds for
 * the site, record for record, clocks and flags included, and returns it.
 */
export async function expectReplicasEqualServer(
  db: Db,
  siteId: string,
  devices: readonly SimulatedDevice[],
  timeoutMs = 30_000,
): Promise<Record<string, string[]>> {
  let truth: Record<string, string[]> = {};
  await eventually(
    async () => {
      truth = await serverDump(db, siteId, collectionNames);
      for (const device of devices) expect(await device.dump(), device.deviceId).toEqual(truth);
    },
    timeoutMs,
    250,
  );
  return truth;
}

/** The ids of a site's live records of one collection on the server. */
export async function serverIds(db: Db, table: string, siteId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id::text FROM ${table} WHERE site_ids @> ARRAY[$1::uuid] AND NOT deleted ORDER BY id`,
    [siteId],
  );
  return rows.map((r) => r.id);
}
