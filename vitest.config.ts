import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL cluster per run for the hub's storage suites (each file makes its own database).
    globalSetup: ['test/helpers/postgres-global.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start brokers, pseudo-terminals and Chromium: two files at a time on two cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
