// Voice benchmark for `npm run bench` (bench/run.ts calls run()): first sound from decision. The
// daemon's voice feature with the real aplay driver plays into an ALSA `file` plugin (over the null
// device) whose file is a FIFO the bench reads: the time from the decision handed over after the
// door (VoiceFeature.act, what the composition root calls right after devices.act) to the prompt's first bytes leaving the ALSA plugin. Baseline: aplay alone,
// spawned with the same sound by the bench, in the same run. Budget (issue 23): p95 ≤ 150 ms.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { validateConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { DriverRegistry, realDrivers } from '../src/devices/drivers.js';
import { createAplayVoice } from '../src/devices/voice/aplay.js';
import { renderClipSet } from '../src/devices/voice/clip-set.js';
import type { VoiceEvents } from '../src/devices/voice/events.js';
import { createVoice } from '../src/devices/voice/feature.js';
import type { Action } from '../src/gate/model.js';
import { EventBus } from '../src/kernel/bus.js';
import type { DaemonContext } from '../src/kernel/feature.js';
import { type Figure, percentile, runWhenMain } from './report.js';

const PROMPTS = 60;

const fever: Action[] = [
  { kind: 'lamp', lane: 'main', colour: 'red', ms: 3000 },
  { kind: 'buzzer', lane: 'main', pattern: 'alarm' },
  { kind: 'prompt', lane: 'main', promptId: 'temp.fever', celsius: 37.8 },
];

/** The FIFO's reader: resolves with the time of the first bytes after `since`. */
function fifoReader(fifo: string) {
  // Read and write: the reader never sees end-of-file between two aplay processes, and never blocks.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const sock = new Socket({ fd, readable: true, writable: false });
  let waiter: ((t: number) => void) | undefined;
  sock.on('data', () => {
    const w = waiter;
    waiter = undefined;
    w?.(performance.now());
  });
  return {
    next: () => new Promise<number>((resolve) => (waiter = resolve)),
    /** Bytes of the previous prompt still arriving are not the next one's first sound. */
    drain: () => new Promise<void>((resolve) => setTimeout(resolve, 50)),
    close: () => {
      sock.destroy();
      try {
        closeSync(fd);
      } catch {}
    },
  };
}

export async function run(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gate-bench-voice-'));
  try {
    const fifo = join(dir, 'speaker.fifo');
    execFileSync('mkfifo', [fifo]);
    const conf = join(dir, 'asound.conf');
    writeFileSync(conf, `pcm.benchspeaker {\n  type file\n  slave.pcm { type null }\n  file "${fifo}"\n  format "raw"\n}\n`);
    const alsaBefore = process.env.ALSA_CONFIG_PATH;
    process.env.ALSA_CONFIG_PATH = conf;
    const clips = join(dir, 'clips');
    await renderClipSet(clips, { languages: ['zh-CN'] });

    const { config, problems } = validateConfig({ lanes: [{ id: 'main', voice: { driver: 'aplay', device: 'benchspeaker', volume: 80 } }], voice: { recordingsDir: join(dir, 'none') } });
    if (!config) throw new Error(problems.join('\n'));
    const bus = new EventBus<VoiceEvents>();
    const ctx: DaemonContext<VoiceEvents, Config> = { config, bus, logger: pino({ level: 'silent' }), clock: { now: () => Date.now(), synced: () => true, mono: () => performance.now() }, dataDir: dir };
    const voice = createVoice({ ctx, lanes: config.lanes, drivers: new DriverRegistry(realDrivers), clipsDir: clips, announcements: () => [] });
    await voice.start();
    await voice.loaded();
    const reader = fifoReader(fifo);
    const fromDecision: number[] = [];
    const bare: number[] = [];
    try {
      const sound = voice.library.sound({ parts: ['temp-is', { number: 37.8 }, 'degrees', 'fever-wait'] });
      const player = createAplayVoice({ device: 'benchspeaker' });
      for (let i = 0; i < PROMPTS; i++) {
        await reader.drain();
        let heard = reader.next();
        const t0 = performance.now();
        voice.act('main', fever, `p${i}`);
        fromDecision.push((await heard) - t0);
        await reader.drain();
        heard = reader.next();
        const t1 = performance.now();
        const done = player.play({ utterance: { id: 'bare', lane: 'main', urgency: 3, parts: [] }, text: '', sound, volume: 100 }).done;
        bare.push((await heard) - t1);
        await done;
      }
    } finally {
      reader.close();
      await voice.stop();
      if (alsaBefore === undefined) delete process.env.ALSA_CONFIG_PATH;
      else process.env.ALSA_CONFIG_PATH = alsaBefore;
    }
    const base = { name: 'aplay alone, spawned with the same sound', value: percentile(bare, 95) };
    return [
      {
        name: 'first sound from decision, p95 (voice feature, aplay, ALSA file plugin)',
        value: percentile(fromDecision, 95),
        unit: 'ms',
        baseline: base,
        budget: { op: '<=', value: 150, unit: 'ms' },
        runs: PROMPTS,
        note: `fever prompt 体温三十七点八度，偏高…; median ${percentile(fromDecision, 50).toFixed(1)} ms, max ${Math.max(...fromDecision).toFixed(1)} ms; aplay alone median ${percentile(bare, 50).toFixed(1)} ms`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runWhenMain(import.meta, run);
