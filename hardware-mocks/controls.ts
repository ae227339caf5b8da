// The mocks' controls (devices/mock-controls.ts is their contract): finds the lane's mock device and
// drives it, as a test or the simulator asks.
import type { DriverControls } from '../src/devices/drivers.js';
import type { LaneDevices } from '../src/devices/lane-devices.js';
import type { LaneOutputCommand } from '../src/devices/mock-controls.js';
import type { Driver, GpioOutputName } from '../src/devices/types.js';
import type { Direction } from '../src/gate/model.js';
import { MockGpio, MockScanner, MockThermometer } from './in-process.js';

export class MockRegistry implements DriverControls {
  private readonly thermometers = new Map<string, { lane: string; mock: MockThermometer }>();
  private readonly scanners = new Map<string, { lane: string; mock: MockScanner; inject: (text: string, direction?: Direction) => void }>();
  private readonly gpios = new Map<string, { lane: string; mock: MockGpio }>();

  constructor(private readonly lanes: ReadonlyMap<string, LaneDevices>) {}

  get empty(): boolean {
    return this.thermometers.size + this.scanners.size + this.gpios.size === 0;
  }

  addThermometer(lane: string, id: string, d: Driver<unknown>): void {
    if (d instanceof MockThermometer) this.thermometers.set(id, { lane, mock: d });
  }
  addScanner(lane: string, id: string, d: Driver<unknown>, inject: (text: string, direction?: Direction) => void): void {
    if (d instanceof MockScanner) this.scanners.set(id, { lane, mock: d, inject });
  }
  addGpio(lane: string, id: string, d: Driver<unknown>): void {
    if (d instanceof MockGpio) this.gpios.set(id, { lane, mock: d });
  }

  scan(lane: string, text: string, direction?: Direction): void {
    const s = this.first(this.scanners, lane, 'scanner');
    // Through the same sink as the driver's data, so an unplugged scanner scans nothing.
    if (s.mock.isOpen) s.inject(text, direction);
  }

  temperature(lane: string, celsius: number, ambient?: number): void {
    this.first(this.thermometers, lane, 'thermometer').mock.measure(celsius, ambient);
  }

  mask(lane: string, worn: boolean): void {
    this.laneDevices(lane).signal('maskDetector', worn);
  }

  press(lane: string, signal: 'exit-button' | 'door-contact', active: boolean): void {
    const name = signal === 'exit-button' ? 'exitButton' : 'doorContact';
    const gpio = [...this.gpios.values()].find((g) => g.lane === lane);
    if (gpio) gpio.mock.setInput(name, active);
    else this.laneDevices(lane).signal(name, active);
  }

  unplug(deviceId: string): void {
    this.device(deviceId).unplug();
  }

  replug(deviceId: string): void {
    this.device(deviceId).replug();
  }

  commands(lane?: string): LaneOutputCommand[] {
    return [...this.gpios.values()].filter((g) => lane === undefined || g.lane === lane).flatMap((g) => g.mock.commands.map((c) => ({ ...c, lane: g.lane })));
  }

  clearCommands(): void {
    for (const g of this.gpios.values()) g.mock.commands.length = 0;
  }

  output(lane: string, output: GpioOutputName): boolean {
    return [...this.gpios.values()].find((g) => g.lane === lane)?.mock.level(output) ?? false;
  }

  private device(id: string): MockThermometer | MockScanner | MockGpio {
    const d = this.thermometers.get(id)?.mock ?? this.scanners.get(id)?.mock ?? this.gpios.get(id)?.mock;
    if (!d) throw new Error(`No mock device "${id}"; mock devices: ${[...this.thermometers.keys(), ...this.scanners.keys(), ...this.gpios.keys()].join(', ') || 'none'}`);
    return d;
  }

  private first<T extends { lane: string }>(map: Map<string, T>, lane: string, kind: string): T {
    const found = [...map.values()].find((v) => v.lane === lane);
    if (!found) throw new Error(`Lane "${lane}" has no mock ${kind}`);
    return found;
  }

  private laneDevices(lane: string): LaneDevices {
    const ld = this.lanes.get(lane);
    if (!ld) throw new Error(`No lane "${lane}"; lanes: ${[...this.lanes.keys()].join(', ')}`);
    return ld;
  }
}
