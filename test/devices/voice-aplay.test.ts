// The real player: clips rendered by espeak-ng, played by aplay into an ALSA `file` plugin (over the
// null device) in a configuration of our own (ALSA_CONFIG_PATH), and the WAV it wrote measured by sox.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createAplayVoice, STUCK_AFTER_MS } from '../../src/devices/voice/aplay.js';
import { renderClipSet } from '../../src/devices/voice/clip-set.js';
import { ClipLibrary } from '../../src/devices/voice/clips.js';
import { soundMs } from '../../src/devices/voice/player.js';
import { scale } from '../../src/devices/voice/wav.js';
import { URGENCY, type Utterance } from '../../src/gate/speech.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('gate-aplay-');
const clips = join(dir, 'clips');
const out = join(dir, 'out.wav');
const conf = join(dir, 'asound.conf');
const env = { ...process.env, ALSA_CONFIG_PATH: conf };
let lib: ClipLibrary;

/** sox's `stat` of a file (printed on stderr): length in seconds and amplitudes. */
function parse(text: string) {
  const num = (label: string) => Number(new RegExp(`${label}:\\s+(-?[\\d.]+)`).exec(text)?.[1] ?? Number.NaN);
  return { seconds: num('Length \\(seconds\\)'), max: num('Maximum amplitude'), rms: num('RMS\\s+amplitude') };
}
const soxStat = (file: string) => parse(execFileSync('sh', ['-c', 'sox "$1" -n stat 2>&1', 'sh', file], { encoding: 'utf8' }));

const fever: Utterance = { id: 'temp.fever', lane: 'main', urgency: URGENCY.alarm, parts: ['temp-is', { number: 37.8 }, 'degrees', 'fever-wait'] };

beforeAll(async () => {
  for (const tool of ['aplay', 'sox', 'espeak-ng']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not installed: npm test installs it (scripts/test-deps.mjs), or apt-get install alsa-utils sox espeak-ng`);
    }
  }
  await renderClipSet(clips, { languages: ['zh-CN'] });
  lib = ClipLibrary.load({ clipsDir: clips, languages: ['zh-CN'] });
  expect(lib.problems).toEqual([]);
  writeFileSync(conf, `pcm.gatefile {\n  type file\n  slave.pcm { type null }\n  file "${out}"\n  format "wav"\n}\n`);
});

describe('aplay loudspeaker', () => {
  it('plays a composed prompt into the ALSA file plugin: sound, of the expected length', async () => {
    const sound = lib.sound(fever);
    const expectedS = soundMs(sound) / 1000;
    await createAplayVoice({ device: 'gatefile', env }).play({ utterance: fever, text: '体温三十七点八度，偏高，请到一旁等候工作人员', sound, volume: 100 }).done;
    expect(existsSync(out)).toBe(true);
    const s = soxStat(out);
    // aplay pads the last period with silence: a little longer, never shorter.
    expect(s.seconds).toBeGreaterThanOrEqual(expectedS - 0.01);
    expect(s.seconds).toBeLessThan(expectedS + 0.3);
    expect(expectedS).toBeGreaterThan(3);
    expect(s.rms).toBeGreaterThan(0.02);
    expect(s.max).toBeGreaterThan(0.3);
  });

  it('plays at the volume asked', async () => {
    const sound = lib.sound(fever);
    await createAplayVoice({ device: 'gatefile', env }).play({ utterance: fever, text: '', sound, volume: 100 }).done;
    const full = soxStat(out).max;
    await createAplayVoice({ device: 'gatefile', env }).play({ utterance: fever, text: '', sound: sound.map((p) => scale(p, 50)), volume: 50 }).done;
    expect(soxStat(out).max).toBeCloseTo(full / 2, 1);
  });

  it('says why when the ALSA device does not exist', async () => {
    const p = createAplayVoice({ device: 'no-such-card', env }).play({ utterance: fever, text: '', sound: lib.sound(fever), volume: 100 });
    await expect(p.done).rejects.toThrow(/aplay -D no-such-card failed \(exit 1\): .*audio open error.*aplay -L lists the devices/);
  });

  it('kills a player that does not end after its sound (a wedged card), and says so', async () => {
    const wedged = join(dir, 'wedged-player');
    writeFileSync(wedged, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(wedged, 0o755);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const sound = lib.sound({ parts: ['pass'] });
      const p = createAplayVoice({ device: 'gatefile', env, command: wedged }).play({ utterance: fever, text: '', sound, volume: 100 });
      const failed = expect(p.done).rejects.toThrow(/did not end: no end 5000 ms after the sound; killed/);
      await vi.advanceTimersByTimeAsync(soundMs(sound) + STUCK_AFTER_MS + 10);
      await failed;
    } finally {
      vi.useRealTimers();
    }
  });

  it('says which package to install when the player is missing', async () => {
    const p = createAplayVoice({ device: 'gatefile', env, command: 'aplay-not-installed' }).play({ utterance: fever, text: '', sound: lib.sound(fever), volume: 100 });
    await expect(p.done).rejects.toThrow(/install alsa-utils/);
  });
});

