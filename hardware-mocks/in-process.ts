// In-process mocks with the same interfaces as the real drivers: for unit tests and the default simulation.
import type { OutputCommand } from '../src/devices/mock-controls.js';
import { appendToLog } from './log.js';
import type { DriverEvents, GpioDriver, GpioInputName, GpioOutputName, ScanFrame, ScannerDriver, ThermometerDriver, ThermometerSample } from '../src/devices/types.js';

abstract class MockDevice<T> {
  protected events: DriverEvents<T> | undefined;
  private plugged = true;
  /** How many times the device was opened; tests use it to see reconnects. */
  opens = 0;

  present(): boolean {
    return this.plugged;
  }

  get isOpen(): boolean {
    return this.events !== undefined;
  }

  async open(events: DriverEvents<T>): Promise<void> {
    if (!this.plugged) throw new Error('mock device is unplugged');
    this.events = events;
    this.opens++;
    this.opened();
  }

  async close(): Promise<void> {
    this.events = undefined;
  }

  /** The device node disappears: the open handle reports the loss, like a USB unplug. */
  unplug(): void {
    this.plugged = false;
    const ev = this.events;
    this.events = undefined;
    ev?.lost('mock device unplugged', 'disconnected');
  }

  replug(): void {
    this.plugged = true;
  }

  protected opened(): void {}
}

export class MockThermometer extends MockDevice<ThermometerSample> implements ThermometerDriver {
  /** A measurement as the device reports it (before calibration). False when the device is not open. */
  measure(celsius: number, ambient?: number): boolean {
    this.events?.data(ambient === undefined ? { celsius } : { celsius, ambient });
    return this.isOpen;
  }
}

export class MockScanner extends MockDevice<ScanFrame> implements ScannerDriver {
  scan(text: string | Uint8Array): boolean {
    this.events?.data({ bytes: text });
    return this.isOpen;
  }

  overflow(length: number): void {
    this.events?.data({ overflow: length });
  }
}

export class MockGpio extends MockDevice<{ input: GpioInputName; active: boolean }> implements GpioDriver {
  /** The writes, oldest first: the newest MOCK_LOG_KEPT (hardware-mocks/log.ts). */
  readonly commands: OutputCommand[] = [];
  private readonly outputs = new Map<GpioOutputName, boolean>();
  private readonly inputs = new Map<GpioInputName, boolean>();

  constructor(private readonly configuredInputs: GpioInputName[] = []) {
    super();
  }

  write(output: GpioOutputName, on: boolean): void {
    if (!this.isOpen) return;
    this.outputs.set(output, on);
    appendToLog(this.commands, { at: Date.now(), mono: performance.now(), output, on });
  }

  level(output: GpioOutputName): boolean {
    return this.outputs.get(output) ?? false;
  }

  setInput(input: GpioInputName, active: boolean): void {
    this.inputs.set(input, active);
    this.events?.data({ input, active });
  }

  protected override opened(): void {
    for (const input of this.configuredInputs) this.events?.data({ input, active: this.inputs.get(input) ?? false });
  }
}
