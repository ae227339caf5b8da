// What tests and the simulator do to mocked devices: scan, measure, press, unplug; and what the door did.
// The mocks themselves live in hardware-mocks/ (drivers.ts registers them); this is their contract.
import type { Direction } from './vocabulary.js';
import type { GpioOutputName } from './types.js';

export interface OutputCommand {
  /** Wall-clock ms (Date.now(), faked in tests). */
  at: number;
  /** performance.now() when written (benchmarks time the relay command by it). */
  mono: number;
  output: GpioOutputName;
  on: boolean;
}

export interface LaneOutputCommand extends OutputCommand {
  lane: string;
}

export interface MockControls {
  /** A scan on the lane's mock scanner, through framing limits, control-character check and dedupe. */
  scan(lane: string, text: string, direction?: Direction): void;
  /** A measurement on the lane's mock thermometer (before calibration and the plausibility check). */
  temperature(lane: string, celsius: number, ambient?: number): void;
  mask(lane: string, worn: boolean): void;
  press(lane: string, signal: 'exit-button' | 'door-contact', active: boolean): void;
  unplug(deviceId: string): void;
  replug(deviceId: string): void;
  /** Output levels written to the mock GPIO, oldest first: the newest 1,000 (hardware-mocks/log.ts). */
  commands(lane?: string): LaneOutputCommand[];
  clearCommands(): void;
  /** Current level of an output. */
  output(lane: string, output: GpioOutputName): boolean;
}
