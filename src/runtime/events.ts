// The gate's event map: the events of the gate runtime and of the parts it stands on (devices,
// ledger). The parts above it add their own (sync/events.ts, ui/events.ts); the composition root's
// bus carries them all (src/app/context.ts).
import type { Config } from '../config/schema.js';
import type { DeviceEvents } from '../devices/events.js';
import type { GateInput, LaneStage } from '../gate/contract.js';
import type { Passage, Text } from '../gate/model.js';
import type { DaemonContext } from '../kernel/feature.js';
import type { LedgerEvents } from '../store/events.js';

export interface RuntimeEvents {
  /** A lane moved on (card read, temperature taken, …): what the kiosk shows before the decision. */
  'passage.progress': { lane: string; stage: LaneStage; passage: Partial<Passage> & { id: string }; prompt: Text };
  /** The gate did not take an input (a second card while someone is checked, an override too late …): the kiosk says why. */
  'gate.ignored': { lane: string; input: GateInput['type']; reason: Text };
  /** A health declaration's code was scanned on a lane: the kiosk opens the visitor registration with it. */
  'declaration.scanned': { lane: string; text: string };
}

export type GateEvents = DeviceEvents & LedgerEvents & RuntimeEvents;

export type RuntimeContext = DaemonContext<GateEvents, Config>;
