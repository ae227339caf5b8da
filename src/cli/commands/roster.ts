import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { withCliLedger } from '../../store/cli-open.js';
import { type ImportReport, importRoster } from '../../store/roster-import.js';

function print(r: ImportReport): void {
  console.log(`${r.file}: ${r.rows} row(s) read (${r.encoding}), ${r.goodRows} good, ${r.problems.length} problem(s)`);
  for (const w of r.warnings) console.log(`warning: ${w}`);
  for (const p of r.problems) console.log(`row ${p.row}, column ${p.column}: ${p.message} [${p.reason}]${p.value ? ` — "${p.value}"` : ''}`);
  if (r.imported) console.log(`imported ${r.households} household(s), ${r.persons} person(s), ${r.cards} card(s), ${r.vehiclePermits} vehicle permit(s); roster version ${r.applied?.version}`);
  else if (r.dryRun) console.log('dry run: nothing imported');
  else if (r.problems.length) console.log('nothing imported: fix the rows above, or import the good rows only with --partial');
}

export function register(program: Command): void {
  const roster = program.command('roster').description('The roster (一户一档): import from spreadsheets, show counts');
  roster
    .command('import')
    .description('Import households and persons from CSV (UTF-8, GBK) or XLSX; see docs/roster-import.md for the columns')
    .argument('<file>', 'spreadsheet file (.csv, .txt, .xlsx)')
    .option('--partial', 'import the good rows even when other rows have problems')
    .option('--dry-run', 'check the file and report, import nothing')
    .option('--json', 'print the report as JSON')
    .option('--operator <id>', 'who imports (audit log)', 'cli')
    .option('--config <file>', 'configuration file')
    .option('--db <file>', 'ledger database (default: storage.path of the configuration)')
    .action(async (file: string, o: { partial?: boolean; dryRun?: boolean; json?: boolean; operator: string; config?: string; db?: string }) => {
      let buf: Buffer;
      try {
        buf = readFileSync(file);
      } catch (err) {
        console.error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        process.exitCode = 1;
        return;
      }
      await withCliLedger(
        o,
        async ({ config, ledger }) => {
          const report = await importRoster(ledger, buf, basename(file), {
            timeZone: config.site.timezone,
            now: Date.now(),
            actor: o.operator,
            ...(o.partial ? { partial: true } : {}),
            ...(o.dryRun ? { dryRun: true } : {}),
          });
          if (o.json) console.log(JSON.stringify(report, null, 2));
          else print(report);
          if (report.problems.length && !report.imported) process.exitCode = 1;
        },
        file,
      );
    });
  roster
    .command('stats')
    .description('Households, persons, cards, categories (七类人, 租户) and people in quarantine')
    .option('--config <file>', 'configuration file')
    .option('--db <file>', 'ledger database')
    .action((o: { config?: string; db?: string }) =>
      withCliLedger(o, ({ ledger }) => {
        console.log(JSON.stringify(ledger.rosterStats(), null, 2));
      }),
    );
}
