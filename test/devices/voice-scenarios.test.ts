// The example scenarios replayed into the daemon's voice feature (mock loudspeaker): what it said
// for each passage is what the scenario's expected file says was spoken.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/gate/scenario/parse.js';
import { runScenario } from '../../src/gate/scenario/run.js';
import { type VoiceRig, voiceRig } from './voice-rig.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.voice.stop();
  rig = undefined;
});

describe('spoken prompts of the example scenarios', () => {
  it.each(FILES)('%s: the loudspeaker says what the expected file says', async (file) => {
    const parsed = parseScenario(readFileSync(join(DIR, file), 'utf8'));
    const run = runScenario(parsed);
    const lanes = (parsed.scenario.lanes ?? [{ id: 'main' }]).map((l) => ({ id: l.id, voice: { driver: 'mock' } }));
    const r = voiceRig({ lanes });
    rig = r;
    await r.voice.start();
    await r.voice.loaded();
    const { mockVoices } = await import('../../hardware-mocks/voice.js');
    for (const o of run.outputs) {
      if (o.type === 'progress') r.bus.emit('passage.progress', { lane: o.lane, stage: o.stage, passage: o.passage, prompt: o.prompt });
      else if (o.type === 'decided') {
        if (o.passage.actions.length) r.voice.act(o.passage.lane, o.passage.actions, o.passage.id);
      } else continue;
      await r.settle();
      // Time passes between a scenario's events: what was said has ended before the next.
      for (const l of lanes) mockVoices.get(l.id)?.finish();
      await r.settle();
    }
    const said = new Map<string, string[]>();
    for (const l of lanes) for (const s of mockVoices.get(l.id)?.spoken ?? []) said.set(s.passageId as string, [...(said.get(s.passageId as string) ?? []), s.text]);
    const expected = readFileSync(join(DIR, file.replace(/\.yaml$/, '.expected.jsonl')), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { passage: string; spoken: string[] });
    expect(expected.some((e) => e.spoken.length > 0)).toBe(true);
    for (const e of expected) expect({ passage: e.passage, spoken: said.get(e.passage) ?? [] }).toEqual({ passage: e.passage, spoken: e.spoken });
  });
});
