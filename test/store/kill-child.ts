// The daemon stand-in for the kill test: records passages one after another and prints each id
// only after recordPassage() returned (the commit), as the gate shows a decision only after it.
// argv: dbPath startIndex endIndex
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const [path, startArg, endArg] = process.argv.slice(2);
if (!path || !startArg || !endArg) throw new Error('usage: kill-child DB START END');
const ledger = openLedger({ path, clock: { now: () => Date.now(), synced: () => true }, gateId: 'g-kill', siteId: 's-kill', timeZone: 'UTC' });
// Resume where the ledger ends, as a restarted daemon continues the stream.
let i = Number(startArg);
const end = Number(endArg);
process.stdout.write('ready\n');
for (; i < end; i++) {
  ledger.recordPassage(passage(i, Date.now()));
  // Every few passages the sync drains and acknowledges, so deletes race the kill as well.
  if (i % 7 === 0) ledger.outboxAck(ledger.outboxBatch(3).map((r) => r.seq));
  process.stdout.write(`${i}\n`);
}
ledger.close();
process.stdout.write('done\n');
