// A voice feature on a real bus with the mock loudspeaker and synthetic clips (a short tone per
// clip, so durations are known and no espeak-ng is needed): for the player, quiet-hours, mute and
// announcement tests and the scenario replay.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { DriverRegistry, realDrivers } from '../../src/devices/drivers.js';
import type { Announcement } from '../../src/devices/voice/announcements.js';
import type { VoiceEvents } from '../../src/devices/voice/events.js';
import { createVoice, type VoiceFeature } from '../../src/devices/voice/feature.js';
import { toWav } from '../../src/devices/voice/wav.js';
import { clipTexts, SPEECH_LANGS } from '../../src/gate/speech-clips.js';
import { EventBus } from '../../src/kernel/bus.js';
import type { DaemonContext } from '../../src/kernel/feature.js';
import { mockDrivers } from '../../hardware-mocks/drivers.js';
import { type MockVoice, mockVoices } from '../../hardware-mocks/voice.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A tone of `ms` at 8 kHz mono, loud enough not to be trimmed as silence. */
export function tone(ms: number, rate = 8000): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return toWav({ rate, channels: 1, data });
}

/** Every clip of every language as a 100 ms tone. */
export function syntheticClips(): string {
  const dir = tempDir('gate-clips-');
  for (const lang of SPEECH_LANGS) {
    mkdirSync(join(dir, lang), { recursive: true });
    for (const id of Object.keys(clipTexts(lang))) writeFileSync(join(dir, lang, `${id}.wav`), tone(100));
  }
  return dir;
}

export interface VoiceRig {
  voice: VoiceFeature;
  bus: EventBus<VoiceEvents>;
  ctx: DaemonContext<VoiceEvents, Config>;
  mock: MockVoice;
  announcements: Announcement[];
  /** Lets the feature's deferred work (setImmediate) run. */
  settle(): Promise<void>;
  texts(): string[];
}

export function voiceRig(raw: { voice?: unknown; site?: unknown; lanes?: unknown[] } = {}, opts: { clipsDir?: string; now?: () => number; tickMs?: number } = {}): VoiceRig {
  const { config, problems } = validateConfig({ lanes: raw.lanes ?? [{ id: 'main', voice: { driver: 'mock', volume: 80 } }], ...(raw.voice ? { voice: raw.voice } : {}), ...(raw.site ? { site: raw.site } : {}) });
  if (!config) throw new Error(problems.join('\n'));
  const bus = new EventBus<VoiceEvents>((e, err) => {
    throw new Error(`listener of ${e} threw: ${String(err)}`);
  });
  const dataDir = tempDir('gate-voice-');
  if (!raw.voice || !(raw.voice as { recordingsDir?: string }).recordingsDir) config.voice.recordingsDir = join(dataDir, 'recordings');
  const ctx: DaemonContext<VoiceEvents, Config> = { config, bus, logger: pino({ level: 'silent' }), clock: { now: opts.now ?? (() => Date.now()), synced: () => true, mono: () => performance.now() }, dataDir };
  const announcements: Announcement[] = [];
  const voice = createVoice({ ctx, lanes: config.lanes, drivers: new DriverRegistry(realDrivers, mockDrivers), clipsDir: opts.clipsDir ?? syntheticClips(), announcements: () => announcements, ...(opts.tickMs ? { tickMs: opts.tickMs } : {}) });
  const mock = mockVoices.get(config.lanes[0]?.id ?? 'main') as MockVoice;
  return {
    voice,
    bus,
    ctx,
    mock,
    announcements,
    settle: () => new Promise((r) => setImmediate(r)),
    texts: () => mock.spoken.map((s) => s.text),
  };
}
