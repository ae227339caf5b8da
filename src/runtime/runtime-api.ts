// What the kiosk (and the simulator control) may ask of the running gate (gate-runtime.ts).
import type { GateInput, LaneStage } from '../gate/contract.js';
import type { Direction, Passage, Text } from '../gate/model.js';
import type { DeviceHealth } from '../devices/events.js';
import type { CalibrationPatch } from '../devices/manager.js';
import type { Calibration } from '../devices/thermometer/calibration.js';

export interface LaneView {
  id: string;
  name: string;
  direction: Direction | 'both';
  stage: LaneStage;
  passage?: Partial<Passage> & { id: string };
  prompt?: Text;
}

/** What the kiosk may change on the devices: a thermometer's calibration (the caller writes the audit entry). */
export interface DeviceSettingsApi {
  /** Thermometer calibration now in force; throws for an unknown thermometer. */
  calibration(deviceId: string): Calibration;
  /** Throws on bad values. */
  calibrate(deviceId: string, patch: CalibrationPatch): Calibration;
}

export interface GateRuntimeApi {
  /** Feed an input to the gate core (operator actions from the kiosk; simulated devices). */
  input(input: GateInput): void;
  lanes(): LaneView[];
  devices(): DeviceHealth[];
  sync(): { enabled: boolean; connected: boolean; outboxDepth: number; brokerUrl?: string };
}
