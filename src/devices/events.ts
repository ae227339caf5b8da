// The devices' events on the bus: what they report. (The gate's actions reach them by a direct call,
// DeviceManager.act: the scan's fast path, docs/architecture.md.)
import type { Config } from '../config/schema.js';
import type { GateInput, Text } from './vocabulary.js';
import type { DaemonContext } from '../kernel/feature.js';

export type DeviceKind = 'thermometer' | 'scanner' | 'gpio';
export type DeviceState = 'connected' | 'disconnected' | 'faulty';

export interface DeviceHealth {
  id: string;
  kind: DeviceKind;
  lane: string;
  driver: string;
  state: DeviceState;
  detail?: string;
  since: number;
}

export interface DeviceEvents {
  /** An input for the gate (scan, temperature, mask sensor, colour verifier, simulator), when it is not handed to the gate directly. */
  'device.input': GateInput;
  /** Door contact or exit button changed (not a gate input by itself). */
  'device.signal': { lane: string; deviceId: string; signal: 'door-contact' | 'exit-button'; active: boolean };
  'device.health': DeviceHealth;
  /** A device said something odd but harmless (implausible reading, garbage bytes). */
  'device.warning': { deviceId: string; lane: string; code: string; text: Text };
  /** The same code re-read within the scanner's dedupe window, counted once (nobody is told; a test waits on it). */
  'device.scan-repeat': { deviceId: string; lane: string };
}

export type DevicesContext = DaemonContext<DeviceEvents, Config>;
