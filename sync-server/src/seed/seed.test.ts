import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverWrites } from '#billing/accounts';
import { createLogger } from '#logger';
import { startTestServer, type TestServer } from '#testing/test-server';
import { seedDemoIfEmpty } from './seed.js';

let server: TestServer;
const log = createLogger('silent');
const writes = { afterWrite: serverWrites('usd') };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function counts() {
  const tables = ['sites', 'providers', 'rooms', 'schedules', 'patients', 'appointments', 'queue_entries'];
  const out: Record<string, number> = {};
  for (const table of tables) {
    out[table] = Number((await server.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
  }
  return out;
}

describe('seedDemoIfEmpty', () => {
  it('writes the demo clinic into an empty database once, even when started twice at the same time', async () => {
    const results = await Promise.all([
      seedDemoIfEmpty(server.db, log, writes),
      seedDemoIfEmpty(server.db, log, writes),
    ]);
    expect(results.sort()).toEqual([false, true]);
    const first = await counts();
    expect(first).toMatchObject({ sites: 1, providers: 4, rooms: 6, schedules: 4, patients: 300 });
    expect(first.appointments).toBeGreaterThan(300);

    expect(await seedDemoIfEmpty(server.db, log, writes)).toBe(false);
    await server.restart();
    expect(await seedDemoIfEmpty(server.db, log, writes)).toBe(false);
    expect(await counts()).toEqual(first);
  });

  it('gives every patient a distinct MRN from the server sequence', async () => {
    const rows = await server.db.query<{ mrn: string | null }>("SELECT doc->>'mrn' AS mrn FROM patients");
    expect(rows.every((r) => r.mrn !== null && /^MRN-\d+$/.test(r.mrn))).toBe(true);
    expect(new Set(rows.map((r) => r.mrn)).size).toBe(rows.length);
    const [sequence] = await server.db.query<{ last: string }>('SELECT last_value AS last FROM mrn_seq');
    expect(rows.map((r) => Number(r.mrn!.slice(4)))).toContain(Number(sequence!.last));
  });

  it('opens a billing account for every patient, as the server does for every patient it stores', async () => {
    const patients = await server.db.query<{ id: string }>('SELECT id FROM patients ORDER BY id');
    const accounts = await server.db.query<{ patient: string }>(
      `SELECT doc->>'patientId' AS patient FROM ledger WHERE doc->>'kind' = 'account' ORDER BY 1`,
    );
    expect(accounts.map((a) => a.patient)).toEqual(patients.map((p) => p.id));
  });

  it('stores the clinic without anything needing attention', async () => {
    const flagged = await server.db.query(
      `SELECT id FROM appointments WHERE (doc->>'needsAttention')::boolean
       UNION ALL SELECT id FROM patients WHERE (doc->>'needsAttention')::boolean
       UNION ALL SELECT id FROM queue_entries WHERE (doc->>'needsAttention')::boolean`,
    );
    expect(flagged).toEqual([]);
  });
});

describe('a server started with DEMO on', () => {
  it('seeds on its first start and leaves the data alone on the next', async () => {
    const demo = await startTestServer({ demo: true });
    try {
      const [patients] = await demo.db.query<{ n: string }>('SELECT count(*) AS n FROM patients');
      expect(Number(patients!.n)).toBe(300);
      await demo.db.query("UPDATE sites SET doc = jsonb_set(doc, '{name}', '\"Renamed\"')");
      await demo.restart();
      const sites = await demo.db.query<{ name: string }>("SELECT doc->>'name' AS name FROM sites");
      expect(sites).toEqual([{ name: 'Renamed' }]);
    } finally {
      await demo.close();
    }
  });
});
