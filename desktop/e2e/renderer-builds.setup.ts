import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A folder for the renderer builds of one test run: the first browser test
 * that needs a renderer builds it there, the others serve the same build
 * (see `buildRenderer`), so a run builds each renderer once, not once per file.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'medisync-test-renderers-'));
  process.env.MEDISYNC_RENDERER_BUILDS = dir;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
