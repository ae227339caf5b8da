// What the kiosk (and the simulator control) may ask of the running gate (gate-runtime.ts).
import type { GateInput, LaneStage } from '../gate/contract.js';
import type { Direction, Passage, Text } from '../gate/model.js';
import type { DeviceHealth } from '../devices/events.js';

export interface LaneView {
  id: string;
  name: string;
  direction: Direction | 'both';
  stage: LaneStage;
  passage?: Partial<Passage> & { id: string };
  prompt?: Text;
}

export interface GateRuntimeApi {
  /** Feed an input to the gate core (operator actions from the kiosk; simulated devices). */
  input(input: GateInput): void;
  lanes(): LaneView[];
  devices(): DeviceHealth[];
  sync(): { enabled: boolean; connected: boolean; outboxDepth: number; brokerUrl?: string };
}
