// A vitest sequencer: the files known to take longest start first, across projects, so that on two
// workers the run does not end with one long file alone (vitest's own order needs the cache of an
// earlier run, which a fresh CI clone does not have, and queues projects one after another).
// The rest follow vitest's order (failed first, then longest, then largest).
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first, as measured on the 2-core development VM (the slowest-files report prints them). */
export const LONGEST = [
  'test/deploy/install.test.ts',
  'test/store/kill.test.ts',
  'test/sync/aedes.test.ts',
  'test/ui/browser.test.ts',
  'test/sync/mosquitto.test.ts',
  'test/system/morning.test.ts',
  'test/ui/api.test.ts',
  'test/app/daemon.test.ts',
  'test/deploy/watchdog.test.ts',
  'test/ui/camera.test.ts',
  'test/store/cli.test.ts',
  'test/store/retention.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? LONGEST.length : i;
    };
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
