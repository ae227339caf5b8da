// The loudspeaker's interface; the aplay driver (src/devices/voice/aplay.ts) and the mock
// (hardware-mocks/voice.ts) implement it.
import type { Utterance } from '../vocabulary.js';
import type { Pcm } from './wav.js';

export interface PlayRequest {
  /** What is said (the mock records it; the real driver logs it). */
  utterance: Utterance;
  /** What it says, as text (zh-CN, or the first language spoken). */
  text: string;
  /** The sound, as runs of one format each, already at the volume to play. */
  sound: Pcm[];
  volume: number;
}

export interface Playback {
  /** Resolves when the sound has ended or was stopped; rejects when the player failed. */
  readonly done: Promise<void>;
  /** Cuts the sound now (a more urgent prompt). */
  stop(): void;
}

export interface VoiceDriver {
  readonly name: string;
  /** Starts the sound without waiting for it; never blocks the event loop. */
  play(request: PlayRequest): Playback;
  /** Stops what plays; safe to call twice. */
  close(): Promise<void>;
}
