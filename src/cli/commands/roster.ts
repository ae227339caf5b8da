import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { withCliLedger } from '../../store/cli-open.js';
import { type ImportReport, importRoster } from '../../store/roster-import.js';
import { ImportError } from '../../store/roster-messages.js';

type Lang = 'zh' | 'en';

/** The report for a village clerk: zh-CN by default, English with --lang en. */
export function printReport(r: ImportReport, lang: Lang, out: (line: string) => void = console.log): void {
  const zh = lang === 'zh';
  const value = (v: string | undefined) => (v ? (zh ? `：“${v}”` : ` — "${v}"`) : '');
  out(
    zh
      ? `${r.file}：读取 ${r.rows} 行（${r.encoding}），${r.goodRows} 行无误，${r.problems.length} 处问题，${r.rowWarnings.length} 处提醒`
      : `${r.file}: ${r.rows} row(s) read (${r.encoding}), ${r.goodRows} good, ${r.problems.length} problem(s), ${r.rowWarnings.length} warning(s)`,
  );
  for (const w of r.warnings) out(`${zh ? '提醒' : 'warning'}: ${w[lang]}`);
  for (const p of r.problems) out(zh ? `第 ${p.row} 行，“${p.column}”列：${p.zh} [${p.reason}]${value(p.value)}` : `row ${p.row}, column ${p.column}: ${p.message} [${p.reason}]${value(p.value)}`);
  for (const p of r.rowWarnings) out(zh ? `提醒：第 ${p.row} 行，“${p.column}”列：${p.zh} [${p.reason}]${value(p.value)}` : `warning: row ${p.row}, column ${p.column}: ${p.message} [${p.reason}]${value(p.value)}`);
  const v = r.applied?.version;
  if (r.imported) out(zh ? `已导入 ${r.households} 户、${r.persons} 人、${r.cards} 张通行证、${r.vehiclePermits} 张车辆通行证；花名册版本 ${v}` : `imported ${r.households} household(s), ${r.persons} person(s), ${r.cards} card(s), ${r.vehiclePermits} vehicle permit(s); roster version ${v}`);
  else if (r.dryRun) out(zh ? '试运行：未导入任何数据' : 'dry run: nothing imported');
  else if (r.problems.length) out(zh ? '未导入任何数据：请改正上面各行，或用 --partial 只导入无误的行' : 'nothing imported: fix the rows above, or import the good rows only with --partial');
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
    .option('--lang <lang>', 'language of the report: zh (default) or en', 'zh')
    .option('--operator <id>', 'who imports (audit log)', 'cli')
    .option('--config <file>', 'configuration file')
    .option('--db <file>', 'ledger database (default: storage.path of the configuration)')
    .action(async (file: string, o: { partial?: boolean; dryRun?: boolean; json?: boolean; lang: string; operator: string; config?: string; db?: string }) => {
      if (o.lang !== 'zh' && o.lang !== 'en') {
        console.error(`--lang must be zh or en (got "${o.lang}") / --lang 只能是 zh 或 en`);
        process.exitCode = 2;
        return;
      }
      const lang: Lang = o.lang;
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
          try {
            const report = await importRoster(ledger, buf, basename(file), {
              timeZone: config.site.timezone,
              now: Date.now(),
              actor: o.operator,
              ...(o.partial ? { partial: true } : {}),
              ...(o.dryRun ? { dryRun: true } : {}),
            });
            if (o.json) console.log(JSON.stringify(report, null, 2));
            else printReport(report, lang);
            if (report.problems.length && !report.imported) process.exitCode = 1;
          } catch (err) {
            // The clerk's language: zh-CN, or English with --lang en.
            if (!(err instanceof ImportError)) throw err;
            console.error(`${file}: ${err.text[lang]}`);
            process.exitCode = 1;
          }
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
