import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    conditions: ['@medisync/source'],
    // Vitest resolves our imports with the "development" condition, which picks graphql's
    // development build, while the packages Node loads itself (Pothos, Yoga) get its
    // production build: two copies of graphql whose types refuse each other. Ours take Node's.
    alias: [
      { find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.mjs', import.meta.url)) },
    ],
  },
  ssr: { resolve: { conditions: ['@medisync/source'] } },
  // The global set-up runs in Vitest's own environment, which takes none of the above: without this it
  // would load the server's compiled `dist/` (there only after `tsc -b`) or fail on a fresh clone.
  environments: { __vitest__: { resolve: { conditions: ['@medisync/source'] } } },
  test: {
    include: ['{shared,sync-server,desktop,kiosk}/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./sync-server/src/testing/global-setup.ts', './desktop/e2e/renderer-builds.setup.ts'],
    testTimeout: 60_000,
    // Browser tests poll the screen for what a user would see next; a loaded two-core machine
    // can take more than vitest's default second to repaint. Speed is measured by `npm run bench`.
    expect: { poll: { timeout: 5_000 } },
    hookTimeout: 120_000,
    // Two cores: parallel files mostly fight over the CPU and the database.
    maxWorkers: 2,
    // A worker keeps the modules it loaded for its next file: loading the server's graph again for
    // each of a hundred files took about a fifth of the run. Each file makes its own database, servers
    // and browser pages; what modules keep between files is caches and counters (date formats, the
    // pull's site timezones, the fixtures' patient counter) that no test needs empty.
    isolate: false,
  },
});
