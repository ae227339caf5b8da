// `gate sim play` plays what `gate simulate` plays, or refuses clearly: rules and a recorded state it
// cannot take are refused before anything happens; signed-out visitors are signed out; a replayed
// visitor id is a new visit (not a raw UNIQUE error); the zone level and lists go back after the
// scenario; a passage in progress is waited for, before and after.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cannotPlayLive, playScenarioLive } from '../../src/app/scenario-live.js';
import { loadOrCreateKeys, trustedKeys } from '../../src/cards/keystore.js';
import type { GateInput } from '../../src/gate/contract.js';
import { parseScenario } from '../../src/gate/scenario/parse.js';
import { openLedger } from '../../src/store/ledger.js';
import { defaultRules } from '../gate/harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const scenario = (name: string) => parseScenario(readFileSync(new URL(`../../scenarios/${name}.yaml`, import.meta.url), 'utf8'));
const own = loadOrCreateKeys(tempDir('sim-play-keys-'));
const keys = { own, trusted: trustedKeys(own, []) };

async function play(name: string | ReturnType<typeof parseScenario>, ledger = openLedger({ path: ':memory:', clock: { now: () => Date.now(), synced: () => true }, gateId: 'g1', siteId: 'demo-village', timeZone: 'Asia/Shanghai' })) {
  {
    const inputs: GateInput[] = [];
    const waits: string[] = [];
    const r = await playScenarioLive({
      parsed: typeof name === 'string' ? scenario(name) : name,
      ledger,
      keys,
      site: 'demo-village',
      defaultLane: 'main',
      slipPrefix: 'VIS:',
      speed: 1e9,
      maxGapMs: 0,
      deliver: (i) => inputs.push(i),
      lanesIdle: async (why) => void waits.push(why),
      rules: defaultRules() as unknown as Record<string, unknown>,
    });
    return { ledger, inputs, waits, events: r.events };
  }
}

describe('gate sim play', () => {
  it('refuses, before anything happens, a scenario whose rules or starting state the running gate does not have', () => {
    expect(cannotPlayLive(scenario('21-test-and-vaccination').scenario, defaultRules() as never)).toEqual([expect.stringMatching(/rules the running gate does not have \(nucleicTestMaxAgeHours, vaccinationRequired\).*gate simulate/)]);
    expect(cannotPlayLive(scenario('21-test-and-vaccination').scenario, { ...defaultRules(), nucleicTestMaxAgeHours: 48, vaccinationRequired: true } as never)).toEqual([]);
    const withState = parseScenario("name: x\nstart: 2026-11-23T09:00:00+08:00\nstate: { inside: ['card:pc-1'] }\nevents: []\n").scenario;
    expect(cannotPlayLive(withState, defaultRules() as never)).toEqual([expect.stringMatching(/recorded state.*gate simulate/)]);
  });

  it('puts the zone level back after a scenario that changed it, and waits for passages in progress before and after', async () => {
    const r = await play('11-sealed-zone');
    expect(r.ledger.policy().zoneLevel).toBe('normal');
    expect(r.waits).toEqual(['before the scenario starts', 'after the last event']);
    expect(r.ledger.policyStates().find((p) => p.kind === 'zone-level')?.source).toBe('local');
  });

  it('plays a scenario with visitors twice: the replay registers new visits, signed-out ones signed out', async () => {
    const first = await play('06-visitor-escorted');
    const again = await play('06-visitor-escorted', first.ledger);
    const slips = (p: typeof first) => p.inputs.flatMap((i) => (i.type === 'scan' && i.text.startsWith('VIS:') ? [i.text] : []));
    expect(slips(again)).toHaveLength(slips(first).length);
    expect(slips(again).filter((s) => /v-50[12]/.test(s)).every((s) => s.includes('~'))).toBe(true);
    expect(slips(again)).toContain('VIS:v-999'); // an unregistered slip stays what it is
    const ids = first.ledger.visitors().map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(slips(first).length - 1);
  });

  it('signs out a visitor the scenario says is signed out', async () => {
    const s = parseScenario('name: x\nstart: 2026-11-23T09:00:00+08:00\nroster:\n  visitors: [{ id: v-9, name: 已销号, escort: 张伟, signedOut: true }]\nevents: [{ scan: { visitor: v-9, direction: in } }]\n');
    const r = await play(s);
    expect(r.ledger.rosterView().visitor('v-9')?.signedOutAt).toBeDefined();
  });
});
