// The mock loudspeaker: records what it was asked to say, in order (the newest 1,000), and "plays" for as long as the
// sound lasts (a timer, so fake timers drive it in tests). The 'mock' voice driver of
// hardware-mocks/drivers.ts.
import type { Utterance } from '../src/gate/speech.js';
import type { Playback, PlayRequest, VoiceDriver } from '../src/devices/voice/types.js';
import { durationMs } from '../src/devices/voice/wav.js';
import { appendToLog } from './log.js';

export interface SpokenRecord {
  /** Wall ms (Date.now(), faked in tests) and performance.now() when the sound was started. */
  at: number;
  mono: number;
  lane: string;
  id: string;
  text: string;
  urgency: number;
  volume: number;
  passageId?: string;
  ms: number;
  /** Set when a more urgent prompt (or the mute switch) cut it. */
  cut?: boolean;
}

export class MockVoice implements VoiceDriver {
  readonly name = 'mock';
  /** What it was asked to say, oldest first: the newest MOCK_LOG_KEPT (hardware-mocks/log.ts). */
  readonly spoken: SpokenRecord[] = [];
  private finishCurrent: (() => void) | undefined;
  private listeners = new Set<(r: SpokenRecord) => void>();

  constructor(readonly lane: string) {}

  play(req: PlayRequest): Playback {
    const u: Utterance = req.utterance;
    const ms = req.sound.reduce((s, p) => s + durationMs(p), 0);
    const rec: SpokenRecord = { at: Date.now(), mono: performance.now(), lane: this.lane, id: u.id, text: req.text, urgency: u.urgency, volume: req.volume, ms: Math.round(ms), ...(u.passageId ? { passageId: u.passageId } : {}) };
    appendToLog(this.spoken, rec);
    for (const l of this.listeners) l(rec);
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const timer = setTimeout(() => finish(), ms);
    timer.unref?.();
    const end = () => {
      clearTimeout(timer);
      finish();
    };
    this.finishCurrent = end;
    return {
      done,
      stop() {
        rec.cut = true;
        end();
      },
    };
  }

  /** Ends what is playing now, as if the sound had run out. */
  finish(): void {
    this.finishCurrent?.();
  }

  /** Calls back on every start (tests wait on it instead of on time). */
  onSpoken(listener: (r: SpokenRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.finish();
  }
}

/** The mock loudspeakers made since the process started, by lane (the newest per lane). */
export const mockVoices = new Map<string, MockVoice>();

/** A new mock loudspeaker for a lane (the newest of a lane is the one in mockVoices). */
export function mockVoice(lane: string): MockVoice {
  const v = new MockVoice(lane);
  mockVoices.set(lane, v);
  return v;
}
