import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The backup and restore an operator runs (README.md "Backups and restore"),
 * with PostgreSQL's own tools from PATH (or `PG_BIN`): a custom-format dump of
 * one consistent snapshot, restored into an empty database without the
 * original's owners.
 */
export async function dumpDatabase(databaseUrl: string, file: string): Promise<void> {
  await run(tool('pg_dump'), ['--format=custom', `--file=${file}`, `--dbname=${databaseUrl}`]);
}

export async function restoreDatabase(file: string, databaseUrl: string): Promise<void> {
  await run(tool('pg_restore'), ['--no-owner', '--exit-on-error', `--dbname=${databaseUrl}`, file]);
}

/** The major version of a PostgreSQL tool, or null where it is not installed. */
export async function toolMajorVersion(name: 'pg_dump' | 'pg_restore'): Promise<number | null> {
  try {
    const { stdout } = await run(tool(name), ['--version']);
    const match = /(\d+)(\.\d+)?/.exec(stdout);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function tool(name: string): string {
  return process.env.PG_BIN ? `${process.env.PG_BIN}/${name}` : name;
}
