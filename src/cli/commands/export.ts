import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { ExportKind } from '../../store/api.js';
import { withCliLedger } from '../../store/cli-open.js';
import { EXPORT_KINDS, type ExportFormat, exportLedger } from '../../store/export.js';
import { localDay } from '../../store/time.js';

function kind(v: string): ExportKind {
  if (!EXPORT_KINDS.includes(v as ExportKind)) throw new InvalidArgumentError(`choose one of ${EXPORT_KINDS.join(', ')}`);
  return v as ExportKind;
}

function format(v: string): ExportFormat {
  if (v !== 'csv' && v !== 'xlsx') throw new InvalidArgumentError('choose csv or xlsx');
  return v;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('Export a ledger (台账) for a date range as CSV (UTF-8 with BOM, for Excel) or XLSX; personal data masked unless --full')
    .requiredOption('--what <ledger>', `which ledger: ${EXPORT_KINDS.join(' | ')}`, kind)
    .option('--from <day>', 'first day, YYYY-MM-DD (default: today)')
    .option('--to <day>', 'last day, YYYY-MM-DD, inclusive (default: --from)')
    .option('--format <format>', 'csv | xlsx', format, 'csv' as ExportFormat)
    .option('--out <file>', 'output file (default: a name with site, gate, ledger and dates in the current directory)')
    .option('--full', 'unmasked ID numbers, phones and names: needs --operator with an admin id; audited')
    .option('--operator <id>', 'who exports (audit log)')
    .option('--config <file>', 'configuration file')
    .option('--db <file>', 'ledger database')
    .action(async (o: { what: ExportKind; from?: string; to?: string; format: ExportFormat; out?: string; full?: boolean; operator?: string; config?: string; db?: string }) => {
      await withCliLedger(
        o,
        async ({ config, ledger }) => {
          const tz = config.site.timezone;
          const from = o.from ?? localDay(Date.now(), tz);
          const r = await exportLedger(ledger, {
            what: o.what,
            from,
            to: o.to ?? from,
            format: o.format,
            timeZone: tz,
            ...(o.full ? { full: true } : {}),
            ...(o.operator ? { operatorId: o.operator } : {}),
          });
          const out = o.out ?? r.filename;
          if (out === '-') process.stdout.write(r.data);
          else {
            writeFileSync(out, r.data, { mode: 0o600 });
            console.error(`${out}: ${r.rows} row(s)${o.full ? ' (full, unmasked; audited)' : ''}`);
          }
        },
        'export',
      );
    });
}
