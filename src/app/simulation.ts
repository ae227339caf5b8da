// What "simulation" means for a config: mock devices on one two-way lane when none are configured,
// the embedded broker, and the hub URL pointing at it.
import type { Config } from '../config/schema.js';
import { validateConfig } from '../config/load.js';

export const SIMULATION_LANE = 'main';

export function simulationConfig(config: Config): Config {
  const raw = structuredClone(config) as Config;
  raw.simulation = true;
  if (raw.lanes.length === 0) {
    raw.lanes = validateConfig({
      lanes: [
        {
          id: SIMULATION_LANE,
          name: '主通道',
          direction: 'both',
          thermometers: [{ id: 'thermo-1', driver: 'mock' }],
          scanners: [{ id: 'scanner-1', driver: 'mock' }],
          gpio: { driver: 'mock', relay: { line: 17 }, lampGreen: { line: 27 }, lampRed: { line: 22 }, buzzer: { line: 23 }, doorContact: { line: 24 }, exitButton: { line: 25 } },
          voice: { driver: 'mock' },
        },
      ],
    }).config!.lanes;
  }
  if (!raw.mqtt.embeddedBroker.enabled && raw.mqtt.url === 'mqtt://127.0.0.1:1883') raw.mqtt.embeddedBroker.enabled = true;
  return raw;
}
