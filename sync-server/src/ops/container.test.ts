import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#testing/test-database';

/**
 * What can be checked of the container without Docker (none here to build
 * it with): the Dockerfile copies files that exist and that .dockerignore lets
 * through, its runtime stage runs the entry the README documents as a
 * non-root user with a health check on /healthz, compose.yaml wires the
 * server to its PostgreSQL 16, and that entry, compiled, really starts against
 * PostgreSQL and answers the health check.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage, continuation lines joined, comments dropped. */
function stages(text: string): Instruction[][] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const out: Instruction[][] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') out.push([]);
    out.at(-1)?.push(instruction);
  }
  return out;
}

/** Whether .dockerignore (an allow-list: `*`, then `!path` entries, then excluded globs) sends `path` to the build. */
function inContext(path: string, ignore: string): boolean {
  let included = true;
  for (const raw of ignore.split('\n').map((l) => l.trim())) {
    if (raw === '' || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const matches =
      pattern === '*' ||
      path === pattern ||
      path.startsWith(`${pattern}/`) ||
      (pattern.startsWith('**/*') && path.endsWith(pattern.slice(4)));
    if (matches) included = negated;
  }
  return included;
}

const dockerfile = stages(read('Dockerfile'));
const runtime = dockerfile.at(-1)!;
const ENTRY = 'node sync-server/dist/main.js';

describe('Dockerfile', () => {
  it('copies only files that exist and that .dockerignore sends to the build', () => {
    const ignore = read('.dockerignore');
    const sources = dockerfile
      .flat()
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(inContext(source, ignore), `${source} is in the build context`).toBe(true);
    }
    // Nothing of the machine it is built on: no installed modules, builds, data or secrets.
    for (const excluded of ['node_modules', '.data', 'sync-server/dist', '.env', '.git', 'desktop/src']) {
      expect(inContext(excluded, ignore), `${excluded} stays out`).toBe(false);
    }
  });

  it('builds in one stage and runs from a small image as a non-root user with production dependencies only', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile) expect(stage[0]!.args).toMatch(/^node:20-(slim|alpine)\b/);
    const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm ci --omit=dev --workspace shared --workspace sync-server\b/.test(r))).toBe(true);
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // The compiled code comes from the build stage; sources and dev tools stay there.
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=build /app/sync-server/dist sync-server/dist');
    expect(copies.some((c) => c.includes('src'))).toBe(false);
  });

  it('checks health on /healthz and starts the entry the README documents', () => {
    const health = runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    expect(health).toContain('/healthz');
    const cmd = JSON.parse(runtime.find((i) => i.keyword === 'CMD')!.args) as string[];
    expect(cmd.join(' ')).toBe(ENTRY);
    const readme = read('README.md');
    const deploying = readme.slice(readme.indexOf('## Deploying'));
    expect(deploying).toContain(ENTRY);
    expect(deploying).toContain('docker compose up');
  });
});

describe('compose.yaml', () => {
  it('runs the server built from this Dockerfile against PostgreSQL 16, secrets from the environment', () => {
    const compose = read('compose.yaml');
    expect(compose).toMatch(/image: postgres:16\b/);
    expect(compose).toMatch(/server:\s*\n\s*build: \.\n/);
    expect(compose).toMatch(/DATABASE_URL: postgres:\/\/medisync:\$\{POSTGRES_PASSWORD\}@db:5432\/medisync/);
    expect(compose).toMatch(/TOKEN_SECRET: \$\{TOKEN_SECRET:\?/);
    expect(compose).toMatch(/condition: service_healthy/);
    expect(compose).toMatch(/HOST: 0\.0\.0\.0/);
  });
});

describe('the compiled entry', () => {
  let database: TestDatabase;
  const main = join(ROOT, 'sync-server/dist/main.js');

  beforeAll(async () => {
    database = await createTestDatabase();
    // What matters here is that the entry runs; types are `npm run typecheck`'s job, which still
    // checks everything after an emit without checks. Emitting alone takes half the time of both.
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'sync-server', '--noCheck'],
      { cwd: ROOT },
    );
  }, 180_000);
  afterAll(async () => {
    await database?.drop();
  });

  it(`"${ENTRY}" migrates a fresh PostgreSQL, answers /healthz and /readyz, and stops cleanly on SIGTERM`, async () => {
    expect(statSync(main).mtimeMs).toBeGreaterThan(statSync(join(ROOT, 'sync-server/src/main.ts')).mtimeMs - 1);
    const child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: database.url,
        TOKEN_SECRET: 'c'.repeat(40),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const ready = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"MediSync sync server ready"/.exec(out);
          if (ready) resolve(ready[1]!);
        });
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        void exited.then((code) => reject(new Error(`the server exited (${code}) before it was ready:\n${out}`)));
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
