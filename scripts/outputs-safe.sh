#!/bin/sh
# Puts every output of the gate in its safe state — door relay released (locked), lamps and buzzer
# off — from the configuration, without the daemon. systemd runs it after the daemon stops, fails
# or is killed by the watchdog (ExecStopPost=), because an output written through sysfs keeps its
# last level when the process dies: a crash during a 3 s door pulse would leave the door open.
#   scripts/outputs-safe.sh [/etc/checkpoint-gate/config.yaml]
# onoff lines are written through sysfs when still exported; gpiod lines with `gpioset -t0`
# (libgpiod v2). Exit status 0 when every configured output was made safe or was not in use.
set -eu
APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
CONFIG="${1:-/etc/checkpoint-gate/config.yaml}"
# shellcheck disable=SC2016 # JavaScript in single quotes, not shell
exec node --input-type=module -e '
import { existsSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
const [appDir, file] = process.argv.slice(1);
const { loadConfig } = await import(`${appDir}/dist/packed/src/config/load.js`);
const { findChipBase, sysfsNumber } = await import(`${appDir}/dist/packed/src/devices/gpio/chip-base.js`);
const config = loadConfig(file, {});
let failed = 0;
for (const lane of config.lanes) {
  const g = lane.gpio;
  if (!g || g.driver === "mock") continue;
  for (const name of ["relay", "lampGreen", "lampRed", "buzzer"]) {
    const line = g[name];
    if (!line) continue;
    const off = line.activeLow ? 1 : 0;
    try {
      if (g.driver === "onoff") {
        const n = sysfsNumber(findChipBase(g.chipLabel, g.sysfsRoot), line.line);
        const value = join(g.sysfsRoot, `gpio${n}`, "value");
        if (!existsSync(value)) {
          console.log(`${lane.id}.${name}: line ${line.line} not exported (not driven): nothing to do`);
          continue;
        }
        writeFileSync(join(g.sysfsRoot, `gpio${n}`, "direction"), off ? "high" : "low");
        console.log(`${lane.id}.${name}: line ${line.line} (sysfs ${n}) set ${off} = off`);
      } else {
        const chip = g.gpiodChip ?? g.chipLabel;
        execFileSync("gpioset", ["-t0", "-c", chip, `${line.line}=${off}`], { timeout: 3000, stdio: "inherit" });
        console.log(`${lane.id}.${name}: line ${line.line} on ${chip} set ${off} = off`);
      }
    } catch (err) {
      failed++;
      console.error(`${lane.id}.${name}: could not make line ${line.line} safe: ${err.message}`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
' "$APP_DIR" "$CONFIG"
