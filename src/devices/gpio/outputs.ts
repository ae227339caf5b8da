// Turns the gate's actions for a lane into timed output levels: relay pulse, lamps, buzzer patterns.
import type { Action, BuzzerPattern } from '../vocabulary.js';
import type { GpioOutputName } from '../types.js';

/** On/off durations (ms), starting with on. */
export const BUZZER_PATTERNS: Record<BuzzerPattern, number[]> = {
  ok: [120],
  refuse: [300, 150, 300],
  attention: [80, 80, 80],
  alarm: [600, 200, 600, 200, 600],
};

export const MAX_RELAY_PULSE_MS = 30_000;

export class LaneOutputs {
  private relayTimer: NodeJS.Timeout | undefined;
  private lampTimer: NodeJS.Timeout | undefined;
  private buzzerTimers: NodeJS.Timeout[] = [];

  constructor(private readonly write: (output: GpioOutputName, on: boolean) => void) {}

  apply(actions: Action[]): void {
    for (const a of actions) {
      if (a.kind === 'relay') this.pulse(a.pulseMs);
      else if (a.kind === 'lamp') this.lamp(a.colour, a.ms);
      else if (a.kind === 'buzzer') this.buzz(a.pattern);
    }
  }

  pulse(ms: number): void {
    if (this.relayTimer) clearTimeout(this.relayTimer);
    this.write('relay', true);
    this.relayTimer = setTimeout(() => {
      this.relayTimer = undefined;
      this.write('relay', false);
    }, clamp(ms, 0, MAX_RELAY_PULSE_MS));
  }

  lamp(colour: 'green' | 'red' | 'amber', ms: number): void {
    if (this.lampTimer) clearTimeout(this.lampTimer);
    this.write('lampGreen', colour !== 'red');
    this.write('lampRed', colour !== 'green');
    this.lampTimer = setTimeout(() => {
      this.lampTimer = undefined;
      this.write('lampGreen', false);
      this.write('lampRed', false);
    }, clamp(ms, 0, 60_000));
  }

  buzz(pattern: BuzzerPattern): void {
    for (const t of this.buzzerTimers) clearTimeout(t);
    this.buzzerTimers = [];
    const steps = BUZZER_PATTERNS[pattern] ?? BUZZER_PATTERNS.attention;
    let at = 0;
    this.write('buzzer', true);
    steps.forEach((ms, i) => {
      at += ms;
      const on = i % 2 === 1;
      this.buzzerTimers.push(setTimeout(() => this.write('buzzer', on), at));
    });
  }

  /** Door locked, lamps and buzzer off, no pending timers: at start, at stop, after a reconnect. */
  safe(): void {
    if (this.relayTimer) clearTimeout(this.relayTimer);
    if (this.lampTimer) clearTimeout(this.lampTimer);
    for (const t of this.buzzerTimers) clearTimeout(t);
    this.relayTimer = this.lampTimer = undefined;
    this.buzzerTimers = [];
    for (const o of ['relay', 'lampGreen', 'lampRed', 'buzzer'] as const) this.write(o, false);
  }
}

const clamp = (n: number, lo: number, hi: number): number => (Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : lo);
