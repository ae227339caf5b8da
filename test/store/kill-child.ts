// The daemon stand-in for the kill test: the real gate runtime with group commit (the WAL barrier,
// storage.synchronous GROUP) records a stream of passages. It prints `door <i>` when the passage's
// relay command is emitted (after its commit, before its sync) and `shown <i>` when it reaches the
// kiosk bus (after its sync), as the daemon moves the door and then shows a decision.
// A round that reaches its end before the kill holds there (prints `held`) until it is killed, so
// every round but the last is a kill however slow the machine is; the last round (`last` argument)
// closes cleanly and prints `done`.
// argv: dbPath startIndex endIndex [last]
import pino from 'pino';
import type { AppEvents } from '../../src/app/context.js';
import { EventBus } from '../../src/kernel/bus.js';
import { type GateCoreLike, GateRuntime } from '../../src/runtime/gate-runtime.js';
import { validateConfig } from '../../src/config/load.js';
import type { GateOutput } from '../../src/gate/contract.js';
import { openLedger } from '../../src/store/ledger.js';
import { createWalBarrier } from '../../src/store/wal-barrier.js';
import { passage } from '../../bench/passage-factory.js';

const [path, startArg, endArg, lastArg] = process.argv.slice(2);
if (!path || !startArg || !endArg) throw new Error('usage: kill-child DB START END [last]');
const clock = { now: () => Date.now(), mono: () => performance.now(), synced: () => true };
const ledger = openLedger({ path, clock, gateId: 'g-kill', siteId: 's-kill', timeZone: 'UTC', synchronous: 'NORMAL' });
const barrier = createWalBarrier(path);
const bus = new EventBus<AppEvents>();
const config = validateConfig({}).config;
if (!config) throw new Error('the default config does not validate');
const index = (id: string) => Number(id.slice(2));
const core: GateCoreLike = {
  handle(input) {
    if (input.type !== 'scan') return [];
    const i = Number(input.text);
    const p = passage(i, Date.now(), { actions: [{ kind: 'relay', lane: 'lane-1', pulseMs: 3000 }] });
    return [{ type: 'decided', passage: p }] as GateOutput[];
  },
  nextDeadline: () => undefined,
  lanes: () => [],
};
// Doors move in stream order (each passage here has a relay action, committed in order).
let door = Number(startArg);
const runtime = new GateRuntime({
  ctx: { config, bus, logger: pino({ level: 'silent' }), clock, dataDir: '.' },
  core,
  ledger,
  lanes: [],
  devices: () => [],
  sync: () => ({ enabled: false, connected: false, outboxDepth: 0 }),
  durable: (cb) => barrier.request(cb),
  door: () => process.stdout.write(`door ${door++}\n`),
});
bus.on('passage.decided', ({ passage: p }) => process.stdout.write(`shown ${index(p.id)}\n`));
runtime.start();

// Resume where the ledger ends, as a restarted daemon continues the stream: one scan a turn.
let i = Number(startArg);
const end = Number(endArg);
process.stdout.write('ready\n');
function next(): void {
  if (i >= end) return void finish();
  bus.emit('device.input', { type: 'scan', lane: 'lane-1', text: String(i) });
  // Every few passages the sync drains and acknowledges, so deletes race the kill as well.
  if (i % 7 === 0) ledger.outboxAck(ledger.outboxBatch(3).map((r) => r.seq));
  i++;
  setImmediate(next);
}
async function finish(): Promise<void> {
  await runtime.settled();
  if (lastArg !== 'last') {
    process.stdout.write('held\n');
    setInterval(() => {}, 60_000);
    return;
  }
  runtime.stop();
  await barrier.close();
  ledger.close();
  process.stdout.write('done\n');
}
next();
