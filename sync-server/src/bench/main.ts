/**
 * `npm run bench [-- --quick]`: the sync server's speed at clinic scale, each
 * figure beside a baseline measured in the same run on the same machine, so a
 * busy machine moves both and the ratio stays readable. Prints a table with
 * the target of each row (met or missed) and writes it as JSON to
 * `bench-results/` (not committed). Always exits 0 when it ran to the end: a
 * missed target is a finding, not a crash; CI runs `--quick` so a regression shows.
 *
 * It makes its own database (on DATABASE_URL's server, else an embedded
 * PostgreSQL in a temporary folder), starts the real server on 127.0.0.1 on a
 * free port, and removes everything when done or after its time limit.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { removeRxDatabase } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import {
  createRecord,
  dayRangeUtc,
  HybridClock,
  localDateAt,
  newId,
  type Actor,
  type CollectionName,
} from '@medisync/shared/domain';
import { LIVE_CHANGE_EVENT, openDeviceDatabase, startSync, type LiveChange } from '@medisync/shared/sync';
import { enrolledDevice } from '#auth/testing';
import { loadConfig } from '#config';
import { startEmbeddedPostgres, type RunningPostgres } from '#embedded-postgres';
import { createLogger } from '#logger';
import { startServer, type RunningServer } from '#server';
import { writeRecords } from '#sync/store';
import { benchChromium } from './chromium.js';
import type { LoadDevice, LoadOptions, LoadResult } from './load-generator.js';
import { appointmentRecord, patientRecord, rawInsert, syncRequest, walkInEntry } from './records.js';

const quick = process.argv.includes('--quick');
/** Between the two, for comparing two versions of the server side by side in a few minutes. */
const medium = process.argv.includes('--medium');
/** The desk renderer in Chromium only (first sync at 10,000 and 50,000 patients, the interactions at 50,000; 10,000 alone with --medium); the full run measures it too. Never in --quick. */
const chromiumOnly = process.argv.includes('--chromium') && !quick;
/** Also writes CPU profiles of the desk's search and check-in to bench-results/ (open them in Chrome's DevTools). */
const profile = process.argv.includes('--profile');
/** `--only push,load`: just these figures (push, overlap, pull, first-sync, site-lock, propagation, load), e.g. under `node --cpu-prof`. */
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (figure: string) => only === undefined || only.includes(figure);
const SIZES = medium
  ? { sites: [10_000], push: 2_000, history: 2_000, pull: 10_000, rounds: 20, devices: 100, loadSeconds: 10 }
  : quick
    ? { sites: [1_000], push: 500, history: 500, pull: 2_000, rounds: 10, devices: 25, loadSeconds: 5 }
    : { sites: [10_000, 50_000], push: 5_000, history: 4_000, pull: 20_000, rounds: 50, devices: 500, loadSeconds: 30 };
/** The whole run stops by itself after this long, whatever happens. */
const TIME_LIMIT_MS = (quick ? 110 : 1_500) * 1000;
const PAGE = 500;

const clock = new HybridClock('bench');
const actor: Actor = { id: 'bench', role: 'server', source: 'server' };

interface Row {
  what: string;
  measured: string;
  baseline: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
}
/** The bench's own output is what it is for. */
const began = performance.now();
const say = (line: string) =>
  process.stdout.write(
    line.startsWith('|') || line.startsWith('\n')
      ? `${line}\n`
      : `[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`,
  );
const warn = (line: string) => process.stderr.write(`${line}\n`);
const rows: Row[] = [];
const missing: string[] = [];

function row(
  what: string,
  measured: string,
  baseline: string,
  ratio: number | null,
  target: string,
  met: boolean | null,
) {
  rows.push({ what, measured, baseline, ratio, target, met });
  say(`  ${what}: ${measured} | ${baseline} | ${ratio === null ? '' : `${ratio.toFixed(2)}×`} | ${target}`);
}

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en')} docs/s`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;
const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function main() {
  const deadline = setTimeout(() => {
    warn(`bench: stopped after its time limit of ${TIME_LIMIT_MS / 1000} s`);
    process.exit(2);
  }, TIME_LIMIT_MS);
  deadline.unref();
  const log = createLogger('silent');
  const started = new Date();

  // A database of its own.
  let postgres: RunningPostgres | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (adminUrl === undefined || adminUrl === '') {
    dataDir = await mkdtemp(join(tmpdir(), 'medisync-bench-pg-'));
    postgres = await startEmbeddedPostgres({ dataDir, log, database: 'postgres' });
    adminUrl = postgres.adminConnectionString;
  }
  const name = `medisync_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  let server: RunningServer | undefined;
  try {
    server = await startServer(
      {
        ...loadConfig({}),
        host: '127.0.0.1',
        port: 0,
        databaseUrl,
        dataDir: join(tmpdir(), 'medisync-bench-data'),
        logLevel: 'silent',
        demo: false,
        corsOrigins: [],
        tokenSecret: randomBytes(48).toString('base64url'),
      },
      // The six-hourly no-show training first runs within a minute of start, at a random moment: at the
      // 10,000-patient site it reads the history (~0.6 s) and writes its scores in the server's process,
      // and landed in the load window in about one run of three, tripling its p99. The figures measure
      // sync, so the bench's server runs without it (the README's Performance section says so).
      { log, noShowModels: false },
    );
    say(
      `MediSync bench (${quick ? 'quick' : medium ? 'medium' : 'full'}${chromiumOnly ? ', Chromium only' : ''}), ${started.toISOString()}`,
    );
    if (!chromiumOnly) {
      const sites = [];
      for (const patients of SIZES.sites) sites.push(await seedClinic(server, patients));
      await server.db.query('ANALYZE');

      if (wanted('push')) await benchPush(server, sites[0]!);
      if (wanted('overlap')) await benchOverlap(server, sites[0]!);
      if (wanted('pull')) await benchPull(server, sites.at(-1)!);
      if (wanted('site-lock')) await benchSiteLock(server);
      if (wanted('propagation')) await benchPropagation(server, sites[0]!);
      if (wanted('load')) await benchLoad(server, sites[0]!);
      // Last: its devices' replicas live in this process, the server's, and would weigh on the
      // figures above (the load figure's RSS and garbage collection).
      if (wanted('first-sync')) for (const site of sites) await benchFirstSync(server, site);
    }
    if (chromiumOnly || (!quick && !medium && only === undefined)) {
      // The first sync at each size of the server's figures; the interactions at the largest.
      const sizes = medium ? [10_000] : [10_000, 50_000];
      for (const patients of sizes) {
        // A browser that cannot start is a finding for the table, not a crash of the server's figures.
        await benchChromium({
          adminUrl,
          patients,
          say,
          row,
          firstSyncOnly: patients !== sizes.at(-1),
          ...(profile ? { profileDir: join(process.cwd(), 'bench-results') } : {}),
        }).catch((error: unknown) =>
          missing.push(`desk renderer in Chromium, ${patients} patients: failed (${String(error).split('\n')[0]})`),
        );
      }
    } else {
      missing.push('desk renderer in Chromium (first sync, search, repaint, heap): run the full bench or --chromium');
    }
  } finally {
    await server?.close().catch(() => undefined);
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await postgres?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  await report(started);
  clearTimeout(deadline);
}

async function admin(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface Clinic {
  siteId: string;
  providerIds: string[];
  patientIds: string[];
  patients: number;
  documents: number;
  token: string;
  /** The clinic's desk as the author of what it pushes: the server checks who made each status event. */
  desk: Actor;
}

const deskActor = (deviceId: string): Actor => ({ id: deviceId, role: 'desk', source: 'desk' });

/**
 * A site with `patients` patients, three appointments each spread over two
 * years (a few dozen of them today), written straight into the tables in
 * batches, as the raw-INSERT baseline does.
 */
async function seedClinic(server: RunningServer, patients: number): Promise<Clinic> {
  const t0 = performance.now();
  const site = createRecord(
    'sites',
    { id: newId(), name: `Bench ${patients}`, timezone: 'UTC', queuePrefixes: { reception: 'A' } },
    clock,
    actor,
  );
  await writeRecords(server.db, 'sites', [site]);
  const providers = Array.from({ length: 20 }, (_, i) =>
    createRecord(
      'providers',
      { id: newId(), siteIds: [site.id], displayName: `Dr. ${i}`, specialty: 'Family medicine', active: true },
      clock,
      actor,
    ),
  );
  await writeRecords(server.db, 'providers', providers);
  const patientDocs = Array.from({ length: patients }, (_, i) => patientRecord(site.id, i));
  await rawInsert(server.db.pool, 'patients', site.id, patientDocs);
  const today = dayRangeUtc(localDateAt(new Date(), 'UTC'), 'UTC').start.getTime();
  const appointments = [];
  for (let i = 0; i < patients * 3; i++) {
    // Most in the past two years; every 500th today.
    const start =
      i % 500 === 0
        ? today + (8 * 60 + ((i / 500) % 40) * 15) * 60_000
        : today - (1 + (i % 700)) * 86_400_000 + (i % 32) * 900_000;
    appointments.push(
      appointmentRecord(site.id, patientDocs[i % patients]!.id, providers[i % providers.length]!.id, start),
    );
  }
  await rawInsert(server.db.pool, 'appointments', site.id, appointments);
  const { token, deviceId } = await enrolledDevice(server, site.id, 'desk', 'bench desk');
  say(
    `  seeded ${patients.toLocaleString('en')} patients, ${appointments.length.toLocaleString('en')} appointments in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return {
    siteId: site.id,
    providerIds: providers.map((p) => p.id),
    patientIds: patientDocs.map((p) => p.id),
    patients,
    documents: patients * 4 + 21,
    token,
    desk: deskActor(deviceId),
  };
}

async function pushAll(server: RunningServer, token: string, collection: CollectionName, docs: object[]) {
  const batches: number[] = [];
  for (let i = 0; i < docs.length; i += PAGE) {
    const t = performance.now();
    await syncRequest(
      server.url,
      token,
      `/sync/${collection}/push`,
      docs.slice(i, i + PAGE).map((d) => ({ newDocumentState: { ...d, _deleted: false } })),
    );
    batches.push(performance.now() - t);
  }
  return batches;
}

async function benchPush(server: RunningServer, clinic: Clinic) {
  say('push');
  const n = SIZES.push;
  const raw = Array.from({ length: n }, (_, i) => patientRecord(clinic.siteId, 1_000_000 + i));
  const t0 = performance.now();
  await rawInsert(server.db.pool, 'patients', clinic.siteId, raw);
  const rawMs = performance.now() - t0;
  const pushed = Array.from({ length: n }, (_, i) => ({ ...patientRecord(clinic.siteId, 2_000_000 + i), mrn: null }));
  const t1 = performance.now();
  await pushAll(server, clinic.token, 'patients', pushed);
  const pushMs = performance.now() - t1;
  const ratio = rawMs / pushMs;
  row(
    `push, ${PAGE} patients a request`,
    rate(n, pushMs),
    `raw batched INSERT ${rate(n, rawMs)}`,
    ratio,
    '≥ 0.5×',
    ratio >= 0.5,
  );
}

/** Appointments of one provider pushed oldest-first and newest-first: the overlap rule must not slow as history grows. */
async function benchOverlap(server: RunningServer, clinic: Clinic) {
  say('push of a provider history');
  const n = SIZES.history;
  const base = Date.now() - 400 * 86_400_000;
  const series = async (order: 'oldest' | 'newest') => {
    const provider = createRecord(
      'providers',
      { id: newId(), siteIds: [clinic.siteId], displayName: `Dr. ${order}`, specialty: 'GP', active: true },
      clock,
      actor,
    );
    await writeRecords(server.db, 'providers', [provider]);
    const docs = Array.from({ length: n }, (_, i) =>
      appointmentRecord(
        clinic.siteId,
        clinic.patientIds[i % clinic.patientIds.length]!,
        provider.id,
        base + i * 1_800_000,
        clinic.desk,
      ),
    );
    if (order === 'newest') docs.reverse();
    const t = performance.now();
    const batches = await pushAll(server, clinic.token, 'appointments', docs);
    return { ms: performance.now() - t, batches };
  };
  const oldest = await series('oldest');
  const newest = await series('newest');
  const ratio = newest.ms / oldest.ms;
  row(
    `push of ${n} appointments of one provider, oldest first`,
    `${rate(n, oldest.ms)}; batches ${ms(oldest.batches[0]!)} → ${ms(oldest.batches.at(-1)!)}`,
    `newest first ${rate(n, newest.ms)}`,
    ratio,
    '≥ 0.8× (same as newest-first)',
    ratio >= 0.8,
  );
}

/**
 * A device's first pull, page after page, beside the same rows read straight
 * from the table. Both first read a few pages that are not counted, as the
 * other figures leave out their first round: the server's path compiled and
 * its statements planned, the pool's connections open.
 */
async function benchPull(server: RunningServer, clinic: Clinic) {
  say('pull');
  // As a device pulls, and counting the bytes sent (compressed as fetch accepts) beside the JSON they carry.
  const endpoint = async (limit: number) => {
    let received = 0;
    let checkpoint: unknown = undefined;
    const bytes = { sent: 0, json: 0 };
    const t0 = performance.now();
    while (received < limit) {
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (checkpoint) query.set('checkpoint', JSON.stringify(checkpoint));
      const response = await fetch(`${server.url}/sync/patients/pull?${query}`, {
        headers: { authorization: `Bearer ${clinic.token}` },
      });
      if (!response.ok) throw new Error(`pull: HTTP ${response.status}`);
      const text = await response.text();
      bytes.sent += Number(response.headers.get('content-length'));
      bytes.json += Buffer.byteLength(text);
      const page = JSON.parse(text) as { documents: unknown[]; checkpoint: unknown };
      received += page.documents.length;
      checkpoint = page.checkpoint;
      if (page.documents.length < PAGE) break;
    }
    return { received, bytes, ms: performance.now() - t0 };
  };
  const raw = async (limit: number) => {
    let seq = 0;
    let read = 0;
    const t0 = performance.now();
    while (read < limit) {
      const { rows: page } = await server.db.pool.query<{ seq: string }>(
        `SELECT seq, deleted, doc, site_ids FROM patients WHERE site_ids = ARRAY[$1::uuid] AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
        [clinic.siteId, seq],
      );
      if (page.length === 0) break;
      read += page.length;
      seq = Number(page.at(-1)!.seq);
    }
    return { read, ms: performance.now() - t0 };
  };
  await endpoint(4 * PAGE);
  await raw(4 * PAGE);
  const pulled = await endpoint(SIZES.pull);
  const read = await raw(pulled.received);
  const ratio = read.ms / pulled.ms;
  row(
    `pull endpoint, pages of ${PAGE} (${pulled.received.toLocaleString('en')} patients)`,
    `${rate(pulled.received, pulled.ms)}, ${megabytes(pulled.bytes.sent)} sent for ${megabytes(pulled.bytes.json)} of JSON`,
    `raw keyset read ${rate(read.read, read.ms)}`,
    ratio,
    '≥ 0.6×',
    ratio >= 0.6,
  );
}

/**
 * A new desk's first sync in Node over RxDB's memory storage: time until today's
 * working set is in ("today usable") and until the whole history is; beside the
 * time RxDB takes to ingest the same documents with no network at all.
 */
async function benchFirstSync(server: RunningServer, clinic: Clinic) {
  const storage = getRxStorageMemory();
  say(`first sync, ${clinic.patients.toLocaleString('en')} patients`);
  const db = await openDeviceDatabase({
    name: `bench-${newId()}`,
    storage,
    deviceId: newId(),
    role: 'desk',
  });
  const t0 = performance.now();
  let usableMs = NaN;
  const sync = startSync(db, { serverUrl: server.url, getToken: () => clinic.token, batchSize: PAGE, retryTime: 300 });
  const done = new Promise<void>((resolve) => {
    const sub = sync.state$.subscribe((state) => {
      if (state.firstSync.usable && Number.isNaN(usableMs)) usableMs = performance.now() - t0;
      if (state.firstSync.complete) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
  await done;
  const syncMs = performance.now() - t0;
  await sync.stop();
  const held: Partial<Record<CollectionName, object[]>> = {};
  let total = 0;
  for (const collection of db.collections) {
    held[collection] = (await db.rx[collection].find().exec()).map((d) => d.toJSON());
    total += held[collection].length;
  }
  await db.close();
  // Memory storage keeps a closed database's documents until it is removed: free them for the figures that follow.
  await removeRxDatabase(db.rx.name, storage);
  // The ceiling: the same documents written into a fresh database in the same page size.
  const fresh = await openDeviceDatabase({
    name: `bench-${newId()}`,
    storage,
    deviceId: newId(),
  });
  const t1 = performance.now();
  for (const [collection, docs] of Object.entries(held)) {
    for (let i = 0; i < docs.length; i += PAGE) {
      await fresh.rx[collection as CollectionName].bulkInsert(docs.slice(i, i + PAGE) as never);
    }
  }
  const ingestMs = performance.now() - t1;
  await fresh.close();
  await removeRxDatabase(fresh.rx.name, storage);
  const ratio = ingestMs / syncMs;
  row(
    `first sync in Node (memory storage), ${clinic.patients.toLocaleString('en')} patients, ${total.toLocaleString('en')} docs`,
    `${(syncMs / 1000).toFixed(1)} s (${rate(total, syncMs)}); today usable after ${(usableMs / 1000).toFixed(2)} s`,
    `local ingest alone ${(ingestMs / 1000).toFixed(1)} s`,
    ratio,
    'informational (≥ 0.3× of ingest speed; today usable ≤ 1.5 s)',
    ratio >= 0.3 && usableMs <= 1500,
  );
}

/**
 * What the per-site write lock costs: 20 devices pushing small batches at once
 * at one site (their writes take turns) against 20 devices at 20 sites (they do not).
 */
async function benchSiteLock(server: RunningServer) {
  say('20 devices pushing at once: one site against twenty');
  const run = async (siteCount: number) => {
    const sites: string[] = [];
    for (let i = 0; i < siteCount; i++) {
      const site = createRecord(
        'sites',
        { id: newId(), name: `Lock ${siteCount}-${i}`, timezone: 'UTC', queuePrefixes: { reception: 'A' } },
        clock,
        actor,
      );
      await writeRecords(server.db, 'sites', [site]);
      sites.push(site.id);
    }
    const devices = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => ({
        siteId: sites[i % siteCount]!,
        token: (await enrolledDevice(server, sites[i % siteCount]!, 'desk', `lock ${i}`)).token,
      })),
    );
    let n = 0;
    const t0 = performance.now();
    await Promise.all(
      devices.map(async ({ siteId, token }, d) => {
        for (let batch = 0; batch < 5; batch++) {
          const rows = Array.from({ length: 5 }, (_, k) => ({
            newDocumentState: { ...patientRecord(siteId, 3_000_000 + d * 100 + batch * 10 + k), mrn: null },
          }));
          await syncRequest(server.url, token, '/sync/patients/push', rows);
          n += rows.length;
        }
      }),
    );
    return { n, ms: performance.now() - t0 };
  };
  const one = await run(1);
  const twenty = await run(20);
  const ratio = one.ms / twenty.ms;
  row(
    '20 devices pushing 5 rows at a time at one site',
    rate(one.n, one.ms),
    `the same at 20 sites ${rate(twenty.n, twenty.ms)}`,
    ratio,
    'informational: near 1× means the site lock is not what limits writes',
    null,
  );
}

function socketFor(server: RunningServer, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/**
 * A check-in on one of 20 desks reaching the other 19 over the live stream,
 * beside what it cannot beat: a PostgreSQL commit plus a socket.io fan-out to as many sockets.
 */
async function benchPropagation(server: RunningServer, clinic: Clinic) {
  say('propagation, 20 devices');
  const devices = await Promise.all(
    Array.from({ length: 20 }, (_, i) => enrolledDevice(server, clinic.siteId, 'desk', `live ${i}`)),
  );
  const sockets = await Promise.all(devices.map((d) => socketFor(server, d.token)));
  let lost = 0;
  const latencies: number[] = [];
  // Round 0 warms the server's path up (its code compiled, its statements planned) and is not counted.
  for (let round = 0; round <= SIZES.rounds; round++) {
    const push = walkInEntry(
      clinic.siteId,
      clinic.patientIds[round]!,
      `A-${String(round).padStart(3, '0')}`,
      devices[0]!.deviceId,
    );
    const entry = push.newDocumentState;
    const t0 = performance.now();
    const arrivals = sockets.slice(1).map(
      (socket) =>
        new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), 10_000);
          const on = (change: LiveChange) => {
            if (change.collection !== 'queueEntries') return;
            if (change.documents && !change.documents.some((d) => d.id === entry.id)) return;
            socket.off(LIVE_CHANGE_EVENT, on);
            clearTimeout(timer);
            resolve(performance.now() - t0);
          };
          socket.on(LIVE_CHANGE_EVENT, on);
        }),
    );
    await syncRequest(server.url, devices[0]!.token, '/sync/queueEntries/push', [push]);
    for (const arrival of await Promise.all(arrivals)) {
      if (arrival === null) lost++;
      else if (round > 0) latencies.push(arrival);
    }
  }
  for (const socket of sockets) socket.close();

  // Baselines: one committed row, and a bare socket.io fan-out to 19 sockets.
  await server.db.query(
    'CREATE TABLE IF NOT EXISTS bench_commits (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())',
  );
  const commits: number[] = [];
  for (let i = 0; i < SIZES.rounds * 4; i++) {
    const t = performance.now();
    await server.db.query('INSERT INTO bench_commits DEFAULT VALUES');
    commits.push(performance.now() - t);
  }
  const echo = await socketFanOut(19, SIZES.rounds * 2);
  const p99 = pct(latencies, 99);
  const base = pct(commits, 99) + pct(echo, 99);
  row(
    'live: a check-in on one desk reaching 19 others (p50/p95/p99)',
    `${ms(pct(latencies, 50))} / ${ms(pct(latencies, 95))} / ${ms(p99)}${lost > 0 ? `, ${lost} never arrived` : ''}`,
    `commit p99 ${ms(pct(commits, 99))} + socket.io fan-out p99 ${ms(pct(echo, 99))}`,
    p99 / base,
    '≤ 3×, none lost',
    p99 / base <= 3 && lost === 0,
  );
}

async function socketFanOut(receivers: number, rounds: number): Promise<number[]> {
  const httpServer = (await import('node:http')).createServer();
  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    void socket.join('room');
    socket.on('ping-all', () => io.to('room').emit('pong-all'));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as { port: number }).port;
  const clients = await Promise.all(
    Array.from(
      { length: receivers + 1 },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
          socket.once('connect', () => resolve(socket));
        }),
    ),
  );
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    const arrivals = clients
      .slice(1)
      .map((c) => new Promise<number>((resolve) => c.once('pong-all', () => resolve(performance.now() - t0))));
    clients[0]!.emit('ping-all');
    latencies.push(...(await Promise.all(arrivals)));
  }
  for (const c of clients) c.close();
  await io.close();
  return latencies;
}

/**
 * Many connected devices near the head: each pulls from its checkpoint about
 * every second and now and then pushes a check-in. The devices run in a child
 * process (load-generator.ts); this process, the server's, measures its own RSS.
 *
 * Measured twice: spread over the sites of a clinic network (`sites` of them,
 * ten devices each, the shape the target is for), and all at one site, where
 * every write takes its turn at the site's lock and reaches every device: a
 * stress figure no clinic reaches (fifty walk-ins a second at one front door),
 * reported beside it for what it says about the site lock.
 */
async function benchLoad(server: RunningServer, clinic: Clinic) {
  const n = SIZES.devices;
  const network = [{ siteId: clinic.siteId, patientIds: clinic.patientIds.slice(0, 200) }];
  while (network.length < n / 10) network.push(await smallSite(server, network.length));
  const oneSite = [network[0]!];
  await loadFigure(server, network, `${n} devices at ${network.length} sites`, true);
  await loadFigure(server, oneSite, `${n} devices at one site (stress)`, false);
}

/** A site of the network with 200 patients, for its devices' walk-ins. */
async function smallSite(server: RunningServer, i: number) {
  const site = createRecord(
    'sites',
    { id: newId(), name: `Network ${i}`, timezone: 'UTC', queuePrefixes: { reception: 'A' } },
    clock,
    actor,
  );
  await writeRecords(server.db, 'sites', [site]);
  const patients = Array.from({ length: 200 }, (_, k) => patientRecord(site.id, 4_000_000 + i * 1_000 + k));
  await rawInsert(server.db.pool, 'patients', site.id, patients);
  return { siteId: site.id, patientIds: patients.map((p) => p.id) };
}

async function loadFigure(server: RunningServer, sites: LoadOptions['sites'], what: string, targeted: boolean) {
  const n = SIZES.devices;
  say(`${what}, pulling and pushing`);
  const devices: LoadDevice[] = [];
  for (let i = 0; i < n; i++) {
    const site = i % sites.length;
    devices.push({ ...(await enrolledDevice(server, sites[site]!.siteId, 'desk', `load ${i}`)), site });
  }
  const head = Number((await server.db.query<{ s: string }>('SELECT max(seq) AS s FROM queue_entries'))[0]?.s ?? 0);
  let rss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
  const generator = fork(fileURLToPath(new URL('./load-generator.ts', import.meta.url)), { stdio: 'inherit' });
  const options: LoadOptions = {
    url: server.url,
    sites,
    devices,
    head,
    seconds: SIZES.loadSeconds,
    warmUpSeconds: 3,
  };
  let cpuFrom: NodeJS.CpuUsage | undefined;
  const result = await new Promise<LoadResult>((resolve, reject) => {
    generator.on('message', (message: LoadResult | { measuring: true }) => {
      if ('measuring' in message) cpuFrom = process.cpuUsage();
      else resolve(message);
    });
    generator.once('exit', (code) => reject(new Error(`the load generator exited with code ${code}`)));
    generator.send(options);
  });
  clearInterval(rssTimer);
  // User and system time alike: writing to PostgreSQL's and the devices' sockets is the kernel's work.
  const cpu = process.cpuUsage(cpuFrom);
  const raw: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await server.db.pool.query(
      'SELECT seq, deleted, doc, site_ids FROM queue_entries WHERE site_ids = ARRAY[$1::uuid] AND seq > $2 ORDER BY seq LIMIT 100',
      [sites[0]!.siteId, head + 1_000_000],
    );
    raw.push(performance.now() - t);
  }
  const all = [...result.latencies.pull, ...result.latencies.push];
  const p99 = pct(all, 99);
  row(
    `${what} (${result.sockets} sockets) pulling near the head, every 10th request a push, each in its own turn (after 3 s of warm-up)`,
    `p99 ${ms(p99)} (pulls ${ms(pct(result.latencies.pull, 99))}, pushes ${ms(pct(result.latencies.push, 99))}), ${Math.round(all.length / SIZES.loadSeconds)} req/s, ${result.errors} errors, server CPU ${((cpu.user + cpu.system) / 1000 / all.length).toFixed(2)} ms a request, RSS ${Math.round(rss / 2 ** 20)} MB (devices in a process of their own)`,
    `raw read p99 ${ms(pct(raw, 99))}`,
    p99 / pct(raw, 99),
    targeted ? 'p99 ≤ 50 ms, no errors' : 'informational',
    targeted ? p99 <= 50 && result.errors === 0 : null,
  );
}

async function report(started: Date) {
  const table = [
    '| what | measured | baseline in the same run | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.measured} | ${r.baseline} | ${r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.met === null ? '' : r.met ? 'met' : 'missed'} |`,
    ),
  ].join('\n');
  say(`\n${table}\n`);
  for (const m of missing) say(`not measured: ${m}`);
  const met = rows.filter((r) => r.met === true).length;
  say(`targets met: ${met} of ${rows.filter((r) => r.met !== null).length}`);
  const dir = join(process.cwd(), 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(
    dir,
    `bench-${quick ? 'quick' : medium ? 'medium' : 'full'}${chromiumOnly ? '-chromium' : ''}-${started.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  await writeFile(
    file,
    JSON.stringify(
      {
        mode: `${quick ? 'quick' : medium ? 'medium' : 'full'}${chromiumOnly ? '-chromium' : ''}`,
        started: started.toISOString(),
        sizes: SIZES,
        rows,
        missing,
      },
      null,
      2,
    ),
  );
  say(`written to ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
