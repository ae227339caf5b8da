import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Three projects in one pool of two workers (two cores), so the suites that mostly wait on another
// process (Chromium, PostgreSQL) run beside the CPU-bound gate suites instead of after them. Every
// suite picks free ports and temporary folders: none shares a port with another.
const CHROMIUM = ['test/ui/browser.test.ts', 'test/ui/camera.test.ts', 'test/ui/declaration-browser.test.ts', 'test/system/**/*.test.ts'];
const POSTGRES = ['test/hub/**/*.test.ts'];
// One PostgreSQL cluster per run, started only when a PostgreSQL suite runs (the hub's helper).
const PG_SETUP = 'test/helpers/postgres-global.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start brokers, pseudo-terminals and Chromium: two files at a time on two cores.
    maxWorkers: 2,
    sequence: { sequencer: (await import('./test/runner/longest-first.js')).default },
    reporters: ['default', './test/runner/slowest-files.ts'],
    projects: [
      { extends: true, test: { name: 'gate', include: ['test/**/*.test.ts'], exclude: [...CHROMIUM, ...POSTGRES] } },
      { extends: true, test: { name: 'chromium', include: CHROMIUM } },
      { extends: true, test: { name: 'postgres', include: POSTGRES, ...(existsSync(PG_SETUP) ? { globalSetup: [PG_SETUP] } : {}) } },
    ],
  },
});
