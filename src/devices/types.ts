// One interface per device kind; real drivers and the mocks in hardware-mocks/ implement them.
import type { Text } from './vocabulary.js';

export interface DriverEvents<T> {
  data(value: T): void;
  /** Odd but harmless: garbage, an implausible value, an over-long frame. */
  warning(code: string, text: Text): void;
  /** The device went away or stopped answering; the supervisor closes and reopens it. */
  lost(reason: string, state?: 'disconnected' | 'faulty'): void;
}

export interface Driver<T> {
  /** Resolves when the device is usable; rejects with a message a user can act on. */
  open(events: DriverEvents<T>): Promise<void>;
  /** Releases every file descriptor and child process; safe to call twice. */
  close(): Promise<void>;
  /** Whether the device node exists now (cheap; checked by the supervisor while the device is silent). */
  present(): boolean;
}

/** A raw thermometer reading, before calibration and the plausibility check. */
export interface ThermometerSample {
  celsius: number;
  ambient?: number;
}

/** A framed scan, before limits, control characters and dedupe; or the news that one overflowed. */
export type ScanFrame = { bytes: Uint8Array | string } | { overflow: number };

export type ThermometerDriver = Driver<ThermometerSample>;
export type ScannerDriver = Driver<ScanFrame>;

export type GpioOutputName = 'relay' | 'lampGreen' | 'lampRed' | 'buzzer';
export type GpioInputName = 'doorContact' | 'exitButton' | 'maskDetector';

/** Logical levels: drivers apply activeLow. */
export interface GpioDriver extends Driver<{ input: GpioInputName; active: boolean }> {
  write(output: GpioOutputName, on: boolean): void;
}
