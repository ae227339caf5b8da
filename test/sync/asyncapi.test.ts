import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asyncApiYaml } from '../../src/sync/asyncapi.js';
import { DOWNLINK_KINDS } from '../../src/sync/topics.js';
import { loadAsyncApi, validateCaptured } from './asyncapi-check.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sync/${name}`, import.meta.url));

describe('docs/asyncapi.yaml', () => {
  it('is what src/sync/asyncapi.ts generates (regenerate: npx tsx src/sync/asyncapi.ts > docs/asyncapi.yaml)', () => {
    expect(readFileSync(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8')).toBe(asyncApiYaml());
  });

  it('describes every downlink kind at site and gate scope, and the versioned uplink tree', () => {
    const doc = loadAsyncApi();
    const names = Object.keys(doc.channels);
    for (const kind of DOWNLINK_KINDS) {
      expect(names).toContain(`checkpoint/v1/{site}/cmd/${kind}`);
      expect(names).toContain(`checkpoint/v1/{site}/{gate}/cmd/${kind}`);
    }
    for (const leaf of ['passages', 'alerts', 'reports', 'result', 'state', 'counts']) expect(names).toContain(`checkpoint/v1/{site}/{gate}/${leaf}`);
  });

  it('accepts the hub update fixtures and refuses the bad ones by the same schemas', async () => {
    const ok = await validateCaptured([
      { topic: 'checkpoint/v1/s/cmd/roster', payload: fixture('roster-v1.json') },
      { topic: 'checkpoint/v1/s/g/cmd/roster/delta', payload: fixture('roster-delta-v2.json') },
      { topic: 'checkpoint/v1/s/cmd/zone', payload: fixture('zone-v3.json') },
      { topic: 'checkpoint/v1/s/cmd/health', payload: fixture('health-v1.json') },
    ]);
    expect(ok.errors).toEqual([]);
    expect(ok.checked).toMatchObject({ roster: 1, delta: 1, zone: 1, health: 1 });
    const bad = await validateCaptured([{ topic: 'checkpoint/v1/s/cmd/zone', payload: fixture('bad-wrong-schema.json') }]);
    expect(bad.errors).toHaveLength(1);
  });
});
