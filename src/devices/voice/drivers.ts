// Voice drivers by kind: the real one is registered here; the mock registers itself from
// hardware-mocks/voice.ts, which only the composition root (simulation) and tests load.
import type { VoiceDeviceConfig } from './config.js';
import { createAplayVoice } from './aplay.js';
import type { VoiceDriver } from './types.js';

export type VoiceDriverFactory = (cfg: VoiceDeviceConfig, lane: string) => VoiceDriver;

const factories = new Map<string, VoiceDriverFactory>([['aplay', (cfg) => createAplayVoice({ device: cfg.device })]]);

export function registerVoiceDriver(kind: string, factory: VoiceDriverFactory): void {
  factories.set(kind, factory);
}

export function voiceDriver(cfg: VoiceDeviceConfig, lane: string): VoiceDriver {
  const make = factories.get(cfg.driver);
  if (!make) throw new Error(`Lane "${lane}": voice driver "${cfg.driver}" is not available${cfg.driver === 'mock' ? ' outside simulation (use driver: aplay, or run with --simulation)' : ''}`);
  return make(cfg, lane);
}
