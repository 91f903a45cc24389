import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const hooks = pathToFileURL(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'electron-stand-in-hooks.mjs'),
).href;

/**
 * Runs a bundled main process under plain Node with the stand-in `electron`
 * (electron-stand-in.mjs) and returns what it reported: proof that the bundle
 * loads and opens its window, where Electron's binary cannot be installed.
 */
export async function bootBundledMain(
  mainFile: string,
  env: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const register = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(hooks)});`;
  const { stdout } = await run(process.execPath, ['--import', register, mainFile], {
    env: { ...process.env, MEDISYNC_STAND_IN_USER_DATA: path.dirname(mainFile), ...env },
    timeout: 20_000,
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
