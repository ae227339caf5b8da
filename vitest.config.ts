import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that run for minutes (other Node versions, the arm64 bundle, the installer in a Debian
 * root) start first, so they overlap the many short files instead of trailing them: on a fresh
 * clone vitest has no timings yet and would start these small files last.
 */
const LONG = [/\/test\/node\/node-\d+\.test\.ts$/, /\/test\/deploy\/(arm64-bundle|install)\.test\.ts$/];

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification): number => (LONG.some((r) => r.test(f.moduleId)) ? 0 : 1);
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => long(a.f) - long(b.f) || a.i - b.i).map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start brokers, pseudo-terminals and Chromium: two files at a time on two cores.
    maxWorkers: 2,
    reporters: ['default'],
    sequence: { sequencer: LongFirst },
  },
});
