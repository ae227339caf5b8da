// The voice feature with the mock loudspeaker: what is said for a passage, who cuts whom, quiet
// hours, the mute switch, the site's own recordings.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Action } from '../../src/gate/model.js';
import { CLIP_CACHE_BYTES, ClipLibrary } from '../../src/devices/voice/clips.js';
import { parseWav, trimSilence } from '../../src/devices/voice/wav.js';
import { clipTexts } from '../../src/gate/speech-clips.js';
import { tempDir } from '../helpers/temp-dir.js';
import { syntheticClips, tone, type VoiceRig, voiceRig } from './voice-rig.js';

setFlagsFromString('--expose-gc');

const admit = (celsius?: number): Action[] => [
  { kind: 'relay', lane: 'main', pulseMs: 3000 },
  { kind: 'lamp', lane: 'main', colour: 'green', ms: 3000 },
  { kind: 'buzzer', lane: 'main', pattern: 'ok' },
  { kind: 'prompt', lane: 'main', promptId: 'passage.admitted', ...(celsius ? { celsius } : {}) },
];
const fever: Action[] = [
  { kind: 'lamp', lane: 'main', colour: 'red', ms: 3000 },
  { kind: 'buzzer', lane: 'main', pattern: 'alarm' },
  { kind: 'prompt', lane: 'main', promptId: 'temp.fever', celsius: 37.8 },
];
const progress = (id: string, stage: 'awaiting-temperature' | 'awaiting-mask') => ({ lane: 'main', stage, passage: { id, temperatures: [] }, prompt: { zh: '', en: '' } });

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.voice.stop();
  rig = undefined;
});

async function started(...args: Parameters<typeof voiceRig>): Promise<VoiceRig> {
  rig = voiceRig(...args);
  await rig.voice.start();
  await rig.voice.loaded();
  return rig;
}

describe('voice', () => {
  it('says the temperature with the decision, after the door: nothing is started inside the door call', async () => {
    const r = await started();
    r.voice.act('main', admit(36.5), 'p1');
    expect(r.mock.spoken).toHaveLength(0);
    await r.settle();
    expect(r.mock.spoken).toMatchObject([{ text: '体温三十六点五度，正常，请通行', passageId: 'p1', volume: 80, urgency: 1 }]);
  });

  it('cuts "please pass" with a fever refusal; a less urgent prompt waits for the end of a more urgent one', async () => {
    const r = await started();
    r.voice.act('main', admit(36.5), 'p1');
    await r.settle();
    r.voice.act('main', fever, 'p2');
    await r.settle();
    expect(r.texts()).toEqual(['体温三十六点五度，正常，请通行', '体温三十七点八度，偏高，请到一旁等候工作人员']);
    expect(r.mock.spoken[0]?.cut).toBe(true);
    // What `gate sim state` shows: the feature's own record, whatever the driver.
    expect(r.voice.recent()).toEqual([
      { lane: 'main', text: '体温三十六点五度，正常，请通行', volume: 80, cut: true },
      { lane: 'main', text: '体温三十七点八度，偏高，请到一旁等候工作人员', volume: 80 },
    ]);
    // The next person's "please take your temperature" does not cut the fever refusal…
    r.bus.emit('passage.progress', progress('p3', 'awaiting-temperature'));
    r.bus.emit('passage.progress', progress('p3', 'awaiting-mask'));
    await r.settle();
    expect(r.mock.spoken).toHaveLength(2);
    // …it follows it, and only the newest waiting prompt is said.
    r.mock.finish();
    await r.settle();
    expect(r.texts().slice(2)).toEqual(['请戴好口罩']);
    expect(r.mock.spoken[1]?.cut).toBeUndefined();
  });

  it('reads the clips after start without holding it up; a prompt before they are read waits for them', async () => {
    rig = voiceRig();
    const r = rig;
    await r.voice.start();
    expect(r.voice.library.size).toBe(0);
    r.voice.act('main', fever, 'p1');
    await r.voice.loaded();
    await r.settle();
    await r.settle();
    expect(r.texts()).toEqual(['体温三十七点八度，偏高，请到一旁等候工作人员']);
    expect(r.voice.library.size).toBe(54);
  });

  it('says a waiting prompt once more when the person has not done it, never after the decision', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const r = await started({ voice: { repeatAfterSeconds: 10 } });
      r.bus.emit('passage.progress', progress('p1', 'awaiting-temperature'));
      await r.settle();
      await vi.advanceTimersByTimeAsync(9_000);
      await r.settle();
      expect(r.texts()).toEqual(['请测体温']);
      await vi.advanceTimersByTimeAsync(1_000);
      await r.settle();
      expect(r.mock.spoken.map((s) => [s.id, s.text])).toEqual([['measure', '请测体温'], ['measure|again', '请测体温']]);
      await vi.advanceTimersByTimeAsync(60_000);
      await r.settle();
      expect(r.mock.spoken).toHaveLength(2);
      // The next stage, then the decision before the reminder: no reminder.
      r.bus.emit('passage.progress', progress('p1', 'awaiting-mask'));
      r.voice.act('main', admit(36.5), 'p1');
      await r.settle();
      await vi.advanceTimersByTimeAsync(60_000);
      await r.settle();
      expect(r.texts().slice(2)).toEqual(['请戴好口罩', '体温三十六点五度，正常，请通行']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says each stage of a passage once', async () => {
    const r = await started();
    r.bus.emit('passage.progress', progress('p1', 'awaiting-temperature'));
    r.bus.emit('passage.progress', progress('p1', 'awaiting-temperature'));
    await r.settle();
    expect(r.texts()).toEqual(['请测体温']);
  });

  it('speaks zh-CN then English when the site asks for both', async () => {
    const one = await started();
    one.voice.act('main', admit(), 'p1');
    await one.settle();
    const zhOnly = one.mock.spoken[0]?.ms ?? 0;
    await one.voice.stop();
    const both = await started({ voice: { languages: ['zh-CN', 'en'] } });
    both.voice.act('main', admit(), 'p1');
    await both.settle();
    // 请通行 / Please pass: one clip each, with a pause between the languages.
    expect(both.mock.spoken[0]?.ms).toBeGreaterThan(2 * zhOnly);
  });

  it('keeps quiet hours: a lower volume, or tones only', async () => {
    const at2am = () => Date.parse('2026-12-01T02:00:00+08:00');
    const lower = await started({ voice: { quietHours: { from: '22:00', to: '06:00', mode: 'lower', volume: 25 } } }, { now: at2am });
    lower.voice.act('main', admit(), 'p1');
    await lower.settle();
    expect(lower.mock.spoken[0]?.volume).toBe(25);
    expect(lower.voice.state()).toMatchObject({ quiet: true, quietMode: 'lower' });
    await lower.voice.stop();
    const tones = await started({ voice: { quietHours: { from: '22:00', to: '06:00', mode: 'tones' } } }, { now: at2am });
    tones.voice.act('main', fever, 'p1');
    await tones.settle();
    expect(tones.mock.spoken).toEqual([]);
  });

  it('the mute switch silences what plays and what comes, until it is switched off', async () => {
    const r = await started();
    r.voice.act('main', admit(), 'p1');
    await r.settle();
    expect(r.voice.setMuted(true, 'vol-07')).toMatchObject({ muted: true, mutedBy: 'vol-07' });
    expect(r.mock.spoken[0]?.cut).toBe(true);
    r.voice.act('main', fever, 'p2');
    await r.settle();
    expect(r.mock.spoken).toHaveLength(1);
    r.voice.setMuted(false, 'vol-07');
    r.voice.act('main', fever, 'p3');
    await r.settle();
    expect(r.mock.spoken).toHaveLength(2);
  });
});

describe('clips', () => {
  it('a site recording replaces its clip; a broken or misnamed one is reported and the rendered clip kept', () => {
    const clipsDir = syntheticClips();
    const rec = tempDir('gate-recordings-');
    mkdirSync(join(rec, 'zh-CN'));
    writeFileSync(join(rec, 'zh-CN', 'pass.WAV'), tone(700, 16000));
    writeFileSync(join(rec, 'zh-CN', 'fever-wait.wav'), 'ID3 this is an mp3');
    writeFileSync(join(rec, 'zh-CN', 'welcome.wav'), tone(300));
    const lib = ClipLibrary.load({ clipsDir, recordingsDir: rec, languages: ['zh-CN'] });
    expect(lib.get('zh-CN', 'pass')).toMatchObject({ recorded: true, rate: 16000 });
    expect(lib.get('zh-CN', 'fever-wait')).toMatchObject({ recorded: false });
    expect(lib.problems.map((p) => `${p.clip}: ${p.problem}`)).toEqual([expect.stringMatching(/^fever-wait: recording not a WAV file .*sox/), expect.stringMatching(/^welcome: recording of an unknown clip/)]);
    // A recording at another rate is its own run: rendered 8 kHz, recorded 16 kHz, rendered again.
    expect(lib.sound({ parts: ['temp-is', { number: 36.5 }, 'degrees', 'pass'] }).map((p) => p.rate)).toEqual([8000, 16000]);
  });

  it('reports missing clips', () => {
    const lib = ClipLibrary.load({ clipsDir: tempDir('gate-noclips-'), languages: ['zh-CN'] });
    expect(lib.size).toBe(0);
    expect(lib.problems[0]?.problem).toMatch(/missing: render the clips with `gate voice clips`/);
  });
});

describe('clips are read when a prompt needs them, not held', () => {
  // The daemon's 125 rendered clips are 14 MB of samples: kept in memory they were a tenth of the gate's RSS.
  const gc = runInNewContext('gc') as () => void;
  const externalAfterGc = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    const m = process.memoryUsage();
    return m.external + m.arrayBuffers;
  };

  it('keeps where each clip’s sound lies, and at most CLIP_CACHE_BYTES of samples', async () => {
    const clipsDir = tempDir('gate-bigclips-');
    mkdirSync(join(clipsDir, 'zh-CN'));
    const ids = Object.keys(clipTexts('zh-CN'));
    const big = tone(12_000, 22050); // 12 s, 530 KB: the whole set is far above the cache
    for (const id of ids) writeFileSync(join(clipsDir, 'zh-CN', `${id}.wav`), big);
    const onDisk = big.length * ids.length;
    expect(onDisk).toBeGreaterThan(20 * CLIP_CACHE_BYTES);

    const before = await externalAfterGc();
    const lib = await ClipLibrary.loadAsync({ clipsDir, languages: ['zh-CN'] });
    expect(lib.size).toBe(ids.length);
    expect(lib.heldBytes).toBe(0);
    expect((await externalAfterGc()) - before).toBeLessThan(onDisk / 10);

    // A prompt reads its clips from the files; the same samples as the file's, trimmed of silence.
    const pass = lib.sound({ parts: ['pass'] });
    expect(pass[0]?.data.equals(trimSilence(parseWav(big)).data)).toBe(true);
    for (const n of [36.1, 36.5, 37.2, 38.4]) lib.sound({ parts: ['temp-is', { number: n }, 'degrees', 'pass'] });
    expect(lib.heldBytes).toBeGreaterThan(0);
    expect(lib.heldBytes).toBeLessThanOrEqual(CLIP_CACHE_BYTES);
    expect((await externalAfterGc()) - before).toBeLessThan(onDisk / 10);
  });

  it('reads a clip file changed since start afresh; a clip gone since is skipped, not thrown', () => {
    const clipsDir = syntheticClips();
    const lib = ClipLibrary.load({ clipsDir, languages: ['zh-CN'] });
    writeFileSync(join(clipsDir, 'zh-CN', 'pass.wav'), tone(700, 16000));
    expect(lib.sound({ parts: ['pass'] })).toMatchObject([{ rate: 16000 }]);
    expect(lib.sound({ parts: ['pass'] })[0]?.data.length).toBe(trimSilence(parseWav(tone(700, 16000))).data.length);
    rmSync(join(clipsDir, 'zh-CN', 'fever-wait.wav'));
    expect(lib.sound({ parts: ['fever-wait'] })).toEqual([]);
  });
});
