import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@medisync/source'] },
  ssr: { resolve: { conditions: ['@medisync/source'] } },
  test: {
    include: ['{shared,sync-server,desktop,kiosk}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./sync-server/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: parallel files mostly fight over the CPU and the database.
    maxWorkers: 2,
  },
});
