// Shared helpers for `npm run bench`: medians, machine facts, and the BENCHMARKS.md table.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run, and the ratio value/baseline. */
  baseline?: { name: string; value: number };
  budget?: { op: '<=' | '>='; value: number; unit?: string; on?: 'value' | 'ratio' };
  runs: number;
  note?: string;
}

export function met(f: Figure): boolean | undefined {
  if (!f.budget) return undefined;
  const subject = f.budget.on === 'ratio' && f.baseline ? f.value / f.baseline.value : f.value;
  return f.budget.op === '<=' ? subject <= f.budget.value : subject >= f.budget.value;
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let os: string = process.platform;
  try {
    os = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' }).trim();
  } catch {}
  return `${cpu} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os}, Node ${process.version}`;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3).replace(/0+$/, '').replace(/\.$/, ''));

/** CPU time since boot as /proc/stat counts it: total and stolen by the hypervisor (other guests). */
export function cpuTimes(): { total: number; steal: number } | undefined {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** Share of the CPU the hypervisor gave to other guests between two readings (a loaded host slows every figure). */
export function stealShare(from: ReturnType<typeof cpuTimes>, to: ReturnType<typeof cpuTimes>): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return (to.steal - from.steal) / (to.total - from.total);
}

export function markdown(figures: Figure[], extra: string[] = [], steal?: number): string {
  const rows = figures.map((f) => {
    const ratio = f.baseline ? `${(f.value / f.baseline.value).toFixed(2)}× ${f.baseline.name} (${fmt(f.baseline.value)} ${f.unit})` : '—';
    const budget = f.budget ? `${f.budget.op} ${fmt(f.budget.value)}${f.budget.on === 'ratio' ? '× baseline' : ` ${f.budget.unit ?? f.unit}`}` : '—';
    const verdict = met(f) === undefined ? '' : met(f) ? 'met' : '**MISSED**';
    return `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${ratio} | ${budget} | ${verdict} | ${f.runs} | ${f.note ?? ''} |`;
  });
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. The first table comes from that one run; the spread below it, from the last full runs on the same machine.`,
    '',
    `Machine: ${machine()}.`,
    '',
    ...(steal !== undefined ? [`CPU stolen by the hypervisor during the run: ${(steal * 100).toFixed(0)} % (a virtual machine on a shared host; absolute figures move with it, ratios to the same-run baselines much less).`, ''] : []),
    'Figures are medians of repeated runs (column "runs"); ratios are against a baseline measured in the same run on the same machine.',
    '',
    '| figure | median | ratio to baseline | budget | verdict | runs | note |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...extra,
  ].join('\n');
}

/**
 * A bench area run on its own (`node dist/bench/<area>.js`): its figures printed as the table, a
 * failure as its message and exit code 1. Does nothing when the module is imported by bench/run.ts.
 */
export function runWhenMain(meta: ImportMeta, run: () => Promise<Figure[]>): void {
  if (!process.argv[1] || meta.url !== pathToFileURL(process.argv[1]).href) return;
  run().then(
    (f) => console.log(markdown(f)),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}

/** One full `npm run bench` as kept in bench/runs.json: every figure with a budget and its verdict. */
export interface RunRecord {
  at: string;
  commit: string;
  machine: string;
  steal?: number;
  figures: Array<{ name: string; value: number; unit: string; budget: string; met: boolean }>;
}

export function runRecord(figures: Figure[], commit: string, steal?: number): RunRecord {
  return {
    at: new Date().toISOString(),
    commit,
    machine: machine(),
    ...(steal !== undefined ? { steal } : {}),
    figures: figures
      .filter((f) => f.budget)
      .map((f) => ({ name: f.name, value: f.value, unit: f.unit, budget: `${f.budget?.op} ${fmt(f.budget?.value ?? 0)}${f.budget?.on === 'ratio' ? '× baseline' : ` ${f.budget?.unit ?? f.unit}`}`, met: met(f) === true })),
  };
}

/** The spread of every budgeted figure over the kept runs (newest last): each run's value and verdict, and whether every run met it. */
export function spread(runs: RunRecord[]): string[] {
  if (runs.length < 2) return [];
  const names = [...new Set(runs.flatMap((r) => r.figures.map((f) => f.name)))];
  const head = runs.map((r) => `${r.at.slice(0, 16).replace('T', ' ')} (${r.commit.slice(0, 7)})`);
  const rows = names.map((n) => {
    const got = runs.map((r) => r.figures.find((f) => f.name === n));
    const seen = got.filter((f): f is NonNullable<typeof f> => !!f);
    const values = seen.map((f) => f.value);
    const cells = got.map((f) => (f ? `${fmt(f.value)}${f.met ? '' : ' **missed**'}` : '—'));
    const met = seen.filter((f) => f.met).length;
    // A figure the last run did not measure was renamed or retired; one new since is counted over the runs that measured it.
    const verdict = !got.at(-1) ? 'not in the last run (renamed or retired)' : met === runs.length ? 'every run' : met === seen.length ? `every run that measured it (${met})` : `**${met} of ${seen.length}**`;
    return `| ${n} | ${seen[0]?.budget ?? ''} | ${cells.join(' | ')} | ${fmt(Math.min(...values))}–${fmt(Math.max(...values))} ${seen[0]?.unit ?? ''} | ${verdict} |`;
  });
  return [
    `## Spread over the last ${runs.length} full runs on this machine`,
    '',
    'Each full `npm run bench` adds itself to bench/runs.json (the last five on the same machine are kept). Times are UTC.',
    '',
    `| figure | budget | ${head.join(' | ')} | range | met |`,
    `|---|---|${runs.map(() => '---|').join('')}---|---|`,
    ...rows,
    '',
  ];
}
