import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRecord, createRecord, HybridClock, type Patient } from '@medisync/shared/domain';
import { Db } from '#db/db';
import { migrate } from '#db/migrate';
import { createLogger, testLogLevel } from '#logger';
import { serverRules } from '#sync/rules';
import { pushRecords, writeRecords } from '#sync/store';
import { CuttableProxy } from '#testing/cuttable-proxy';
import { eventually, newPatient, seedSite } from '#testing/fixtures';
import { createTestDatabase, type TestDatabase } from '#testing/test-database';
import { appendToFeed } from './append.js';
import { ChangeFeed } from './feed.js';
import { feedHeads, readChangesAfter, type FeedChange } from './read.js';

/**
 * The committed-change feed (docs/architecture.md §9.2) against a real
 * PostgreSQL: written in the write's transaction, announced with NOTIFY, read
 * from a cursor that survives a lost connection.
 */
const log = createLogger(testLogLevel());
const clock = new HybridClock('feed-test');
const server = { id: 'feed-test', role: 'server', source: 'server' } as const;
let database: TestDatabase;
let db: Db;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = new Db(database.url, log);
  await migrate(db, log);
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await db?.close();
  await database?.drop();
});

async function startFeed(connectionString = database.url) {
  const feed = new ChangeFeed({ connectionString, db, log, reconnectDelayMs: 20 });
  await feed.start();
  stops.push(() => feed.stop());
  const heard: FeedChange[] = [];
  feed.onCommitted((change) => void heard.push(change));
  return { feed, heard };
}

/** Writes as the API does: through the server's rules (MRNs, duplicate flags). */
const write = (records: Patient[]) => writeRecords(db, 'patients', records, { rules: serverRules });
const patient = (siteId: string) => createRecord('patients', newPatient(siteId), clock, server) as Patient;

describe('the change feed', () => {
  it('holds a change exactly when it committed: once per write, nothing for a repeat or a refused row', async () => {
    const { site } = await seedSite(db);
    const from = await feedHeads(db);
    const record = patient(site.id);
    await write([record]);
    await write([record]); // the same state again writes nothing
    const refused = await pushRecords(db, 'patients', [{ newDocumentState: { ...record, id: 'not-a-uuid' } }]);
    expect(refused.rejected).toHaveLength(1);

    const { changes } = await readChangesAfter(db, from, [site.id]);
    expect(changes).toHaveLength(1);
    const [change] = changes;
    expect(change).toMatchObject({ collection: 'patients', siteId: site.id });
    expect(change!.records.map((r) => r.doc.id)).toEqual([record.id]);
    // The server's rules ran before the feed row was written: it holds the MRN the server gave.
    expect((change!.records[0]!.doc as unknown as Patient).mrn).toMatch(/^MRN-/);
    expect(change!.records[0]!.changed).toBeNull();
    expect(change!.toSeq).toBe(change!.records[0]!.seq);
  });

  it('hands a reader far behind its backlog a page at a time, each change once', async () => {
    const { site } = await seedSite(db);
    const from = await feedHeads(db);
    const written = await write(Array.from({ length: 3 }, () => patient(site.id)));
    for (let i = 0; i < 54; i++) await write([patient(site.id)]);
    const first = await readChangesAfter(db, from, [site.id]);
    expect(first.caughtUp).toBe(false);
    const second = await readChangesAfter(db, first.cursor, [site.id]);
    expect(second.caughtUp).toBe(true);
    const all = [...first.changes, ...second.changes];
    expect(all).toHaveLength(55);
    expect(new Set(all.map((c) => c.position)).size).toBe(55);
    expect(all[0]!.records.map((r) => r.doc.id)).toEqual(written[0]!.records.map((r) => r.doc.id));
  });

  it('says which fields a change altered and which attention flags it opened', async () => {
    const { site } = await seedSite(db);
    const record = patient(site.id);
    await write([record]);
    const from = await feedHeads(db);
    const stored = (await db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE id = $1', [record.id]))[0]!.doc;
    await write([changeRecord('patients', stored, { phone: '+1 555 0199' }, clock)]);
    // The same family name and birth date again: the server flags a probable duplicate (§4.3).
    const twin = createRecord(
      'patients',
      newPatient(site.id, { familyName: record.familyName, dob: record.dob }),
      clock,
      server,
    );
    await write([twin]);

    const { changes } = await readChangesAfter(db, from, [site.id]);
    const [edit, created] = changes.map((c) => c.records[0]!);
    expect(edit!.changed).toEqual(['phone']);
    expect(edit!.raised).toEqual([]);
    expect(created!.changed).toBeNull();
    expect(created!.raised).toEqual([expect.stringContaining('probable-duplicate-patient')]);
  });

  it('wakes every listener on commit, in commit order per site, each change once', async () => {
    const [{ site: a }, { site: b }] = [await seedSite(db, 'A'), await seedSite(db, 'B')];
    const first = await startFeed();
    const second = await startFeed(); // another server instance reading the same feed
    // Concurrent writers at two sites: positions interleave, but per site they commit in order.
    const written = await Promise.all(Array.from({ length: 12 }, (_, i) => write([patient(i % 2 ? a.id : b.id)])));
    const ids = written.flatMap((changes) => changes.flatMap((c) => c.records.map((r) => r.doc.id)));
    for (const { heard } of [first, second]) {
      await eventually(() => expect(heard.flatMap((c) => c.records.map((r) => r.doc.id)).sort()).toEqual(ids.sort()));
      for (const site of [a.id, b.id]) {
        const positions = heard.filter((c) => c.siteId === site).map((c) => c.position);
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
      }
    }
  });

  it('misses nothing committed while its connection was down: it reads on from its cursor', async () => {
    const { site } = await seedSite(db);
    const proxy = await CuttableProxy.start(Number(new URL(database.url).port || 5432));
    stops.push(() => proxy.close());
    const url = new URL(database.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const { feed, heard } = await startFeed(url.toString());
    const before = patient(site.id);
    await write([before]);
    await eventually(() => expect(heard.map((c) => c.records[0]!.doc.id)).toEqual([before.id]));

    proxy.cut();
    await eventually(() => expect(feed.listening).toBe(false));
    const during = patient(site.id);
    await write([during]); // its NOTIFY reaches nobody on this feed
    proxy.heal();
    await eventually(() => expect(heard.map((c) => c.records[0]!.doc.id)).toEqual([before.id, during.id]));
    expect(feed.listening).toBe(true);
  });

  it('delivers a change that commits after a later position at another site: the cursor is per site', async () => {
    const [{ site: a }, { site: b }] = [await seedSite(db, 'Slow'), await seedSite(db, 'Fast')];
    const { heard } = await startFeed();
    const change = (siteId: string) => {
      const record = { doc: { ...patient(siteId), _deleted: false }, seq: 0, siteIds: [siteId] };
      return { collection: 'patients' as const, siteId, fromSeq: 0, toSeq: 0, records: [record] };
    };
    // Site A's write takes its position first and is still committing while site B's commits.
    const slow = await db.pool.connect();
    try {
      await slow.query('BEGIN');
      await appendToFeed(slow, [change(a.id)], () => undefined);
      await db.transaction((tx) => appendToFeed(tx, [change(b.id)], () => undefined));
      await eventually(() => expect(heard.map((c) => c.siteId)).toEqual([b.id]));
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    await eventually(() => expect(heard.map((c) => c.siteId)).toEqual([b.id, a.id]));
    // A single "last position read" would have moved past A's smaller position for good.
    expect(heard[1]!.position).toBeLessThan(heard[0]!.position);
  });

  it('gives a slow listener its changes in order without holding up the others', async () => {
    const { site } = await seedSite(db);
    const { feed, heard } = await startFeed();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: string[] = [];
    feed.onCommitted(async (change) => {
      await gate;
      slow.push(change.records[0]!.doc.id);
    });
    const records = [patient(site.id), patient(site.id)];
    for (const record of records) await write([record]);
    await eventually(() => expect(heard.map((c) => c.records[0]!.doc.id)).toEqual(records.map((r) => r.id)));
    expect(slow).toEqual([]);
    release();
    await eventually(() => expect(slow).toEqual(records.map((r) => r.id)));
  });

  it('offers changes as an async iterator that ends when its consumer stops', async () => {
    const { site } = await seedSite(db);
    const { feed } = await startFeed();
    const controller = new AbortController();
    const iterator = feed.changes(controller.signal);
    const record = patient(site.id);
    await write([record]);
    const next = await iterator.next();
    expect(next.done).toBe(false);
    expect((next.value as FeedChange).records[0]!.doc.id).toBe(record.id);
    controller.abort();
    expect((await iterator.next()).done).toBe(true);
  });
});
