// One lane's loudspeaker: one sound at a time. A prompt at least as urgent as the one playing cuts
// it (the newer news wins: a fever refusal cuts "please pass", a decision cuts "please take your
// temperature"); a less urgent one waits, and only the most urgent waiting one is kept. An
// announcement is never queued: it plays only on a silent lane and any prompt cuts it.
import type { Utterance } from '../vocabulary.js';
import type { Playback, VoiceDriver } from './types.js';
import { durationMs, type Pcm, scale } from './wav.js';

export type SayResult = 'playing' | 'queued' | 'busy' | 'silent';

export interface Spoken {
  utterance: Utterance;
  /** What it says (zh-CN, or the first language spoken). */
  text: string;
  sound: Pcm[];
}

export interface LanePlayerOptions {
  driver: VoiceDriver;
  /** Volume now (percent); undefined = say nothing (muted, or tones only in quiet hours). */
  volume: () => number | undefined;
  now: () => number;
  onError: (err: Error, spoken: Spoken) => void;
  /** Every start, cut and end, for logs and the kiosk. */
  onEvent?: (event: 'start' | 'cut' | 'end', spoken: Spoken) => void;
}

interface Current {
  spoken: Spoken;
  playback: Playback;
  cut: boolean;
}

export class LanePlayer {
  private current: Current | undefined;
  private pending: Spoken | undefined;
  /** Wall ms of the last start or end of a sound. */
  lastSound = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: LanePlayerOptions) {}

  get speaking(): Spoken | undefined {
    return this.current?.spoken;
  }

  get idle(): boolean {
    return !this.current && !this.pending;
  }

  say(spoken: Spoken): SayResult {
    if (spoken.sound.length === 0) return 'silent';
    const urgency = spoken.utterance.urgency;
    if (urgency === 0 && !this.idle) return 'busy';
    const cur = this.current;
    if (cur && urgency < cur.spoken.utterance.urgency) {
      const waiting = this.pending;
      if (!waiting || urgency >= waiting.utterance.urgency) this.pending = spoken;
      return 'queued';
    }
    if (cur) {
      cur.cut = true;
      cur.playback.stop();
      this.o.onEvent?.('cut', cur.spoken);
    }
    // A waiting prompt older and no more urgent than this one is stale now.
    if (this.pending && this.pending.utterance.urgency <= urgency) this.pending = undefined;
    return this.start(spoken);
  }

  private start(spoken: Spoken): SayResult {
    const volume = this.o.volume();
    if (volume === undefined || volume <= 0) {
      this.current = undefined;
      return 'silent';
    }
    const sound = atVolume(spoken.sound, volume);
    const playback = this.o.driver.play({ utterance: spoken.utterance, text: spoken.text, sound, volume });
    const cur: Current = { spoken, playback, cut: false };
    this.current = cur;
    this.lastSound = this.o.now();
    this.o.onEvent?.('start', spoken);
    playback.done.then(
      () => this.ended(cur),
      (err: Error) => {
        this.o.onError(err, spoken);
        this.ended(cur);
      },
    );
    return 'playing';
  }

  private ended(cur: Current): void {
    if (!cur.cut) this.o.onEvent?.('end', cur.spoken);
    if (this.current !== cur) return;
    this.current = undefined;
    this.lastSound = this.o.now();
    const next = this.pending;
    this.pending = undefined;
    if (next) this.start(next);
  }

  /** Silence now (mute, stop). */
  stop(): void {
    this.pending = undefined;
    const cur = this.current;
    if (cur) {
      cur.cut = true;
      cur.playback.stop();
      this.current = undefined;
      this.o.onEvent?.('cut', cur.spoken);
    }
  }
}

/** The sound at a volume, kept beside the sound (the same prompt at the same volume is scaled once). */
const scaled = new WeakMap<Pcm[], Map<number, Pcm[]>>();
function atVolume(sound: Pcm[], volume: number): Pcm[] {
  if (volume >= 100) return sound;
  let byVolume = scaled.get(sound);
  if (!byVolume) {
    byVolume = new Map();
    scaled.set(sound, byVolume);
  }
  let out = byVolume.get(volume);
  if (!out) {
    out = sound.map((p) => scale(p, volume));
    byVolume.set(volume, out);
  }
  return out;
}

export const soundMs = (sound: Pcm[]): number => sound.reduce((s, p) => s + durationMs(p), 0);
