// Bundles an Electron app's main and preload code with esbuild. Main becomes one
// ES module with only `electron` left outside, so a packaged app needs no
// node_modules; the preload becomes one CommonJS file, the only form a
// sandboxed preload can load. Type-checking is tsc's job (`npm run typecheck`).
import { build } from 'esbuild';
import process from 'node:process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** @param {{ root: string, main: string, preload: string, outDir?: string }} app */
export async function buildShell(app) {
  const outDir = path.resolve(app.root, app.outDir ?? 'dist');
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    conditions: ['@medisync/source'],
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.resolve(app.root, app.main)],
      format: 'esm',
      outfile: path.join(outDir, 'main', 'index.js'),
    }),
    build({
      ...common,
      entryPoints: [path.resolve(app.root, app.preload)],
      format: 'cjs',
      outfile: path.join(outDir, 'preload', 'index.cjs'),
    }),
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildShell({ root: process.cwd(), main: 'src/main/index.ts', preload: 'src/preload/index.ts' });
}
