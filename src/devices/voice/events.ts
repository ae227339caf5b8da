// What the voice feature hears on the bus: the devices' events (the decision's actions, and the
// warning it raises) and the passage's progress. 'passage.progress' is the gate runtime's event
// (src/runtime/events.ts, a layer above the devices): its payload is restated here, as the devices
// may not import the runtime; the daemon's bus carries the same event, so it fits.
import type { DeviceEvents } from '../events.js';
import type { LaneStage } from '../vocabulary.js';
import type { Passage, Text } from '../vocabulary.js';

export interface VoiceEvents extends DeviceEvents {
  'passage.progress': { lane: string; stage: LaneStage; passage: Partial<Passage> & { id: string }; prompt: Text };
}
