import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '#testing/test-database';

const SYNC_SERVER = fileURLToPath(new URL('..', import.meta.url));
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** `npm start -w sync-server`, as a user runs it. */
function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@medisync/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: SYNC_SERVER,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern: RegExp, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in: ${stdout}${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

describe('main', () => {
  it('refuses a bad configuration with exit code 1 and one clear line', async () => {
    const run = runMain({ PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toBe('Invalid configuration: PORT expected a port number (got "eighty")');
  });

  it('says why it could not start when the database is unreachable', async () => {
    const run = runMain({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/medisync', PORT: '0', LOG_LEVEL: 'silent' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toMatch(/^MediSync sync server could not start: .*ECONNREFUSED/);
  });

  it('serves until SIGTERM, then shuts down in order and exits 0', async () => {
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const run = runMain({ DATABASE_URL: database.url, PORT: '0', TOKEN_SECRET: 's'.repeat(40), LOG_LEVEL: 'info' });
    await run.waitFor(/"msg":"MediSync sync server ready"/);
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.output().stdout)![1]!;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const messages = run
      .output()
      .stdout.trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.slice(-2)).toEqual(['shutting down', 'stopped']);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
