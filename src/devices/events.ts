// The devices' events on the bus: what they report, and the one command they obey.
import type { Config } from '../config/schema.js';
import type { GateInput } from '../gate/contract.js';
import type { Action, Text } from '../gate/model.js';
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
  /** A device produced an input for the gate (scan, temperature, mask sensor). */
  'device.input': GateInput;
  /** Door contact or exit button changed (not a gate input by itself). */
  'device.signal': { lane: string; deviceId: string; signal: 'door-contact' | 'exit-button'; active: boolean };
  'device.health': DeviceHealth;
  /** A device said something odd but harmless (implausible reading, garbage bytes). */
  'device.warning': { deviceId: string; lane: string; code: string; text: Text };
  /** Heard by the devices: what a lane's outputs must do (after the passage is committed). */
  'gate.actions': { lane: string; actions: Action[] };
}

export type DevicesContext = DaemonContext<DeviceEvents, Config>;
