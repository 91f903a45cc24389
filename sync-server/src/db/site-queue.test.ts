import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createRecord, HybridClock, type Actor } from '@medisync/shared/domain';
import { api } from '#auth/testing';
import { deviceToken, eventually, newPatient, seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';
import { SiteQueue } from './site-queue.js';

/** A write that runs until the test lets it finish. */
function heldWrite() {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let started = false;
  return {
    work: async () => {
      started = true;
      await finished;
    },
    finish,
    get started() {
      return started;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SiteQueue', () => {
  it('lets two writes of a site run at once and starts the others in turn as they finish', async () => {
    const queue = new SiteQueue();
    const writes = Array.from({ length: 4 }, heldWrite);
    const runs = writes.map((w) => queue.run(['site-a'], w.work));
    await settle();
    expect(writes.map((w) => w.started)).toEqual([true, true, false, false]);
    writes[1]!.finish();
    await settle();
    expect(writes.map((w) => w.started)).toEqual([true, true, true, false]);
    for (const w of writes) w.finish();
    await Promise.all(runs);
    expect(writes.every((w) => w.started)).toBe(true);
  });

  it('does not hold a site back for another one', async () => {
    const queue = new SiteQueue();
    const busy = Array.from({ length: 3 }, heldWrite);
    const runs = busy.map((w) => queue.run(['site-a'], w.work));
    const other = heldWrite();
    runs.push(queue.run(['site-b'], other.work));
    await settle();
    expect(other.started).toBe(true);
    for (const w of [...busy, other]) w.finish();
    await Promise.all(runs);
  });

  it('never deadlocks writes that take the same sites in different orders', async () => {
    const queue = new SiteQueue();
    const writes = Array.from({ length: 6 }, heldWrite);
    const runs = writes.map((w, i) => queue.run(i % 2 === 0 ? ['site-a', 'site-b'] : ['site-b', 'site-a'], w.work));
    for (let round = 0; round < 6; round++) {
      await settle();
      for (const w of writes) if (w.started) w.finish();
    }
    await Promise.all(runs);
  });

  it('lets the next write in when a write fails', async () => {
    const queue = new SiteQueue();
    const held = heldWrite();
    const first = queue.run(['site-a'], held.work);
    const failing = queue.run(['site-a'], () => Promise.reject(new Error('refused')));
    await expect(failing).rejects.toThrow('refused');
    const next = heldWrite();
    const third = queue.run(['site-a'], next.work);
    await settle();
    expect(next.started).toBe(true);
    held.finish();
    next.finish();
    await Promise.all([first, third]);
  });
});

describe('writes waiting for a busy site', () => {
  let server: TestServer;
  const clock = new HybridClock('site-queue-test');
  const desk: Actor = { id: 'site-queue-test', role: 'desk', source: 'desk' };

  beforeAll(async () => {
    // A pool of four: without the queue, the pushes below would take every connection.
    server = await startTestServer({ env: { DATABASE_POOL_SIZE: '4' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("leave connections for another site's pull while they wait for the site's lock", async () => {
    const busy = (await seedSite(server.db, 'Busy')).site;
    const quiet = (await seedSite(server.db, 'Quiet')).site;
    const [busyDesk, quietDesk] = await Promise.all([deviceToken(server, busy.id), deviceToken(server, quiet.id)]);
    // Someone else holds the busy site's write lock (a long import, another server instance).
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7274))', [busy.id]);

    // Six edits of one patient: pushes of the same record never share a transaction, so each waits its turn.
    const patient = createRecord('patients', newPatient(busy.id), clock, desk);
    const pushes = Array.from({ length: 6 }, (_, i) =>
      api(server.url, '/sync/patients/push', {
        token: busyDesk,
        body: [{ newDocumentState: { ...patient, givenName: `Edit ${i}`, _deleted: false } }],
      }),
    );
    await eventually(async () => {
      const { rows } = await holder.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
      );
      expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(2);
    });

    let pulled = false;
    const pull = api(server.url, '/sync/patients/pull?limit=10', { token: quietDesk }).then((answer) => {
      pulled = true;
      return answer;
    });
    // The quiet site's pull answers while the busy site is still locked; the lock is let go
    // after at most ten seconds so that, without the queue, the test fails rather than hangs.
    await Promise.race([pull, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    const pulledWhileLocked = pulled;
    await holder.query('COMMIT');
    await holder.end();

    expect(pulledWhileLocked).toBe(true);
    expect((await pull).status).toBe(200);
    const answers = await Promise.all(pushes);
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
  });
});
