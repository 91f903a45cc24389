import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Patient } from '@medisync/shared/domain';
import { enrolledDevice } from '#auth/testing';
import { expectReplicasEqualServer, serverIds } from '#drills/converged';
import { createTestDatabase, type TestDatabase } from '#testing/test-database';
import { eventually, newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { dumpDatabase, restoreDatabase, toolMajorVersion } from './backup.js';

/**
 * A backup restored (README.md "Backups and restore", docs/architecture.md
 * §7.5): the server's database is dumped with pg_dump while devices work,
 * restored with pg_restore into a fresh database, and a server started on it
 * where the old one was. The devices keep their checkpoints, and what is
 * written from then on reaches every device.
 */

// pg_dump refuses a server newer than itself: the run's PostgreSQL must not be newer than the tools here.
const serverMajor = await (async () => {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return Math.floor(
      Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v) /
        10_000,
    );
  } finally {
    await client.end();
  }
})();
const dumpMajor = await toolMajorVersion('pg_dump');
const usable = dumpMajor !== null && dumpMajor >= serverMajor;
if (!usable) {
  process.stderr.write(
    `restore.test.ts SKIPPED: needs pg_dump ${serverMajor} or newer on PATH (or PG_BIN); found ${dumpMajor ?? 'none'}\n`,
  );
}

let original: TestServer;
let restored: TestServer | undefined;
let restoredDatabase: TestDatabase;
let folder: string;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  if (!usable) return;
  folder = await mkdtemp(join(tmpdir(), 'medisync-backup-'));
  original = await startTestServer();
  restoredDatabase = await createTestDatabase('medisync_restored');
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await restored?.close();
  await original?.close();
  await restoredDatabase?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe.skipIf(!usable)('restoring a pg_dump backup', () => {
  it('devices resume from their checkpoints, send back what the dump lacks, and new writes reach all of them', async () => {
    const { site } = await seedSite(original.db);
    const [desk, kiosk] = await Promise.all(
      ['desk-a', 'desk-b'].map(async () =>
        SimulatedDevice.start({ ...(await enrolledDevice(original, site.id)), serverPort: original.port }),
      ),
    );
    devices.push(desk!, kiosk!);
    const other = kiosk!;
    const beforeDump = await desk!.create<Patient>('patients', newPatient(site.id, { familyName: 'Before' }));
    await expectReplicasEqualServer(original.db, site.id, devices);

    const file = join(folder, 'medisync.dump');
    await dumpDatabase(original.databaseUrl, file);

    // Accepted by the server after the dump: the restore will not have these.
    const editedLater = await desk!.create<Patient>('patients', newPatient(site.id, { familyName: 'AfterDumpA' }));
    const neverEdited = await other.create<Patient>('patients', newPatient(site.id, { familyName: 'AfterDumpB' }));
    await expectReplicasEqualServer(original.db, site.id, devices);

    await restoreDatabase(file, restoredDatabase.url);
    const port = original.port;
    await original.close();
    restored = await startTestServer({
      databaseUrl: restoredDatabase.url,
      port,
      tokenSecret: original.config.tokenSecret!,
    });
    const server = restored;
    expect((await server.db.query('SELECT restored_at FROM ops_database_identity'))[0]?.restored_at).not.toBeNull();

    // The devices send again what they wrote after the backup's last change: the server gets
    // back both records it had accepted after the dump, though nobody edits them.
    await eventually(async () =>
      expect(await serverIds(server.db, 'patients', site.id)).toEqual(
        [beforeDump.id, editedLater.id, neverEdited.id].sort(),
      ),
    );

    // A write after the restore, from either device, reaches the other: their checkpoints,
    // ahead of the restored database, would otherwise have skipped it for good.
    const afterRestore = await other.create<Patient>('patients', newPatient(site.id, { familyName: 'AfterRestore' }));
    await eventually(async () => expect(await desk!.get('patients', afterRestore.id)).not.toBeNull());

    // No device pulled the clinic again: what the restored server sent the devices (every
    // pull and live delivery of patients is audited) holds the new record, never the one
    // they already had from before the dump, as a first sync would.
    const sentSinceRestore = async (id: string) =>
      server.db.query(
        `SELECT 1 FROM audit_events WHERE via IN ('sync.pull', 'sync.live') AND $1::uuid = ANY(record_ids)
            AND at >= (SELECT restored_at FROM ops_database_identity)`,
        [id],
      );
    await eventually(async () => expect(await sentSinceRestore(afterRestore.id)).not.toEqual([]));
    expect(await sentSinceRestore(beforeDump.id)).toEqual([]);

    await desk!.change('patients', beforeDump.id, { phone: '+1 555 0199' });
    await eventually(async () =>
      expect((await other.get<Patient>('patients', beforeDump.id))?.phone).toBe('+1 555 0199'),
    );

    // A record accepted after the dump is back whole, and takes later changes as any other.
    await desk!.change('patients', editedLater.id, { phone: '+1 555 0142' });
    await eventually(async () =>
      expect(
        (await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [editedLater.id]))[0]?.doc
          .phone,
      ).toBe('+1 555 0142'),
    );
    const [back] = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [editedLater.id]);
    const onDevice = await desk!.get<Patient>('patients', editedLater.id);
    // Its MRN, given by the old server after the dump, too; the restored server gives no one else that number.
    expect(onDevice!.mrn).not.toBeNull();
    expect(back!.doc).toMatchObject({ familyName: 'AfterDumpA', phone: '+1 555 0142', mrn: onDevice!.mrn });
    const fresh = await other.create<Patient>('patients', newPatient(site.id, { familyName: 'NewAfterRestore' }));
    await eventually(async () => expect((await other.get<Patient>('patients', fresh.id))?.mrn).not.toBeNull());
    const mrns = await server.db.query<{ mrn: string }>(`SELECT doc->>'mrn' AS mrn FROM patients`);
    expect(new Set(mrns.map((r) => r.mrn)).size).toBe(mrns.length);
  });

  /** Nothing stays on a device that the server lost, and nothing is on the server twice. */
  it('every replica equals the restored server, without anyone editing the records the restore lost', async () => {
    await expectReplicasEqualServer(
      restored!.db,
      (await restored!.db.query<{ id: string }>('SELECT id FROM sites'))[0]!.id,
      devices,
      4_000,
    );
  });
});
