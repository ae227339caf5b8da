// The devices speak the gate's words (decided in issue 17): the gate's actions are the devices'
// documented contract, so the runtime hands a decision's actions to the lane as they are, with no
// mapping on the way to the door. The gate's model (src/gate/model.ts) defines them; the devices
// take every one of them from here, and nowhere else (test/architecture/imports.test.ts).
//   Action, BuzzerPattern  what a lane's outputs must do (gpio/outputs.ts turns them into levels)
//   GateInput              what a device reports to the gate (scan, temperature, mask sensor)
//   Direction              the way a scan goes, on two-way lanes
//   Text                   zh-CN and English, for warnings and errors shown to the volunteer
//   Alert                  what a device that is gone raises (alerts.ts)
export type { GateInput } from '../gate/contract.js';
export type { Action, Alert, BuzzerPattern, Direction, Text } from '../gate/model.js';
