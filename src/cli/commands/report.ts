import type { Command } from 'commander';
import type { CaseEvent, DailyReport } from '../../store/api.js';
import { withCliLedger } from '../../store/cli-open.js';

function print(r: DailyReport): void {
  const reasons = Object.entries(r.refusalsByReason)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(`日报 daily report ${r.day} — ${r.siteId}/${r.gateId}${r.zeroReport ? ' — 零报告 zero report' : ''}`);
  console.log(`进 entries ${r.entries}  出 exits ${r.exits}  外来 visitors ${r.visitors}  在内 inside ${r.peopleInside}`);
  console.log(`劝返 refusals ${r.refusals}${reasons ? ` (${reasons})` : ''}  发热 fever alerts ${r.feverAlerts}`);
  console.log(`无疫情天数 epidemic-free days ${r.epidemicFreeDays}  管控级别 zone level ${r.zoneLevel}`);
}

export function register(program: Command): void {
  const report = program.command('report').description('The daily report (日报) and the epidemic-free-days counter');
  // `gate report [--day D]` is `gate report daily [--day D]`.
  report
    .command('daily', { isDefault: true })
    .description('Show the daily report of a day (default today); --send queues it for the hub')
    .option('--day <day>', 'YYYY-MM-DD')
    .option('--json', 'print JSON')
    .option('--send', 'also queue it in the outbox for the hub')
    .option('--config <file>', 'configuration file')
    .option('--db <file>', 'ledger database')
    .action((o: { day?: string; json?: boolean; send?: boolean; config?: string; db?: string }) =>
      withCliLedger(
        o,
        ({ ledger }) => {
          const queued = o.send ? ledger.queueDailyReport(o.day, 'cli', { manual: true }) : undefined;
          const r = queued?.report ?? ledger.dailyReport(o.day);
          if (o.json) console.log(JSON.stringify(r, null, 2));
          else print(r);
          if (queued) console.error(`queued for the hub as seq ${queued.seq}`);
        },
        'report',
      ),
    );
  report
    .command('case')
    .description('Record a case, suspected case or close contact (the epidemic-free count restarts the day after they leave)')
    .requiredOption('--kind <kind>', 'case | suspected | close-contact')
    .requiredOption('--found <day>', 'day found, YYYY-MM-DD')
    .option('--left <day>', 'day they left the compound (transferred), YYYY-MM-DD')
    .option('--note <text>', 'a reference without personal data, e.g. the hub case number')
    .requiredOption('--operator <id>', 'who records it (audit log)')
    .option('--config <file>', 'configuration file')
    .option('--db <file>', 'ledger database')
    .action((o: { kind: CaseEvent['kind']; found: string; left?: string; note?: string; operator: string; config?: string; db?: string }) =>
      withCliLedger(
        o,
        ({ ledger }) => {
          ledger.recordCase({ kind: o.kind, foundDay: o.found, ...(o.left ? { leftDay: o.left } : {}), ...(o.note ? { note: o.note } : {}) }, o.operator);
          console.log(`recorded; epidemic-free days today: ${ledger.epidemicFreeDays()}`);
        },
        'report case',
      ),
    );
  report
    .command('check')
    .description('Ledger health: integrity check, sizes, free disk, outbox depth')
    .option('--config <file>', 'configuration file')
    .option('--db <file>', 'ledger database')
    .action((o: { config?: string; db?: string }) =>
      withCliLedger(o, ({ ledger }) => {
        const integrity = ledger.integrityCheck();
        console.log(JSON.stringify({ integrity, ...ledger.health() }, null, 2));
        if (integrity !== 'ok') process.exitCode = 1;
      }),
    );
}
