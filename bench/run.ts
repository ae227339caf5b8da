// `npm run bench`: every benchmark, one run, BENCHMARKS.md rewritten from it. A missed budget or a
// benchmark that could not run is written as such and the command exits non-zero.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuTimes, type Figure, markdown, met, type RunRecord, runRecord, spread, stealShare } from './report.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Section {
  title: string;
  run: () => Promise<Figure[]>;
}

/** A benchmark module of another area (bench/<area>.ts) exporting run(): Promise<Figure[]>. */
function areaModule(title: string, file: string): Section {
  return {
    title,
    run: async () => {
      const mod = (await import(pathToFileURL(join(import.meta.dirname, file)).href)) as { run?: () => Promise<Figure[]> };
      if (typeof mod.run !== 'function') throw new Error(`bench/${file} exports no run()`);
      return mod.run();
    },
  };
}

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const gate = await import('./gate.js');
  const sections: Section[] = [
    { title: 'Scan to relay', run: () => gate.scanToRelay() },
    { title: 'Roster from the hub: event-loop stall', run: () => gate.rosterStall() },
    { title: 'Gate pipeline', run: () => gate.pipeline() },
    { title: 'Gate pipeline as deployed', run: () => gate.pipelineAsDeployed() },
    areaModule('Devices: serial scan latency and unplug', 'devices.js'),
    areaModule('Ledger ingest and kiosk queries', 'ledger.js'),
    areaModule('Outbox drain', 'outbox.js'),
    areaModule('Village hub: ingest, gate to hub, memory, start', 'hub.js'),
    areaModule('Office queries at a township year of passages', 'office.js'),
    areaModule('Office: scan at the gate to the overview (Chromium)', 'office-live.js'),
    areaModule('Scan to screen (Chromium)', 'kiosk.js'),
    areaModule('Voice: first sound from decision', 'voice.js'),
    areaModule('Health declarations', 'declare.js'),
    { title: 'Memory', run: () => gate.rssAfter() },
    areaModule('Field deployment (SD-card writes)', 'deploy.js'),
    { title: 'Start to ready', run: () => gate.startToReady() },
  ].filter((s) => only.length === 0 || only.some((o) => s.title.toLowerCase().includes(o.toLowerCase())));

  const figures: Figure[] = [];
  const failures: string[] = [];
  const cpuAtStart = cpuTimes();
  for (const s of sections) {
    const t0 = performance.now();
    process.stderr.write(`bench: ${s.title} …\n`);
    try {
      const got = await s.run();
      figures.push(...got);
      for (const f of got) process.stderr.write(`  ${f.name}: ${f.value.toFixed(3)} ${f.unit}${f.baseline ? ` (baseline ${f.baseline.value.toFixed(3)})` : ''} ${met(f) === false ? 'MISSED' : ''}\n`);
    } catch (err) {
      failures.push(`- **${s.title}** could not run: ${(err as Error).message.split('\n')[0]}`);
      process.stderr.write(`  FAILED: ${(err as Error).stack}\n`);
    }
    process.stderr.write(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  const missed = figures.filter((f) => met(f) === false);
  const steal = stealShare(cpuAtStart, cpuTimes());
  // A full run joins the kept runs of this machine (a run of one section does not).
  let kept: RunRecord[] = [];
  if (only.length === 0) {
    const file = join(ROOT, 'bench', 'runs.json');
    const before: RunRecord[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunRecord[]) : [];
    const now = runRecord(figures, gitCommit(), steal);
    kept = [...before.filter((r) => r.machine === now.machine), now].slice(-5);
    writeFileSync(file, `${JSON.stringify(kept, null, 1)}\n`);
  }
  const extra = [
    ...spread(kept),
    ...(missed.length ? ['## Missed budgets', '', ...missed.map((f) => `- ${f.name}: ${f.value.toFixed(3)} ${f.unit}, budget ${f.budget?.op} ${f.budget?.value}. ${f.note ?? ''}`), ''] : []),
    ...(failures.length ? ['## Benchmarks that could not run', '', ...failures, ''] : []),
    '## How to reproduce',
    '',
    '`npm run bench` (all) or `npm run bench -- <part of a title>` (one section, e.g. `npm run bench -- memory`). Budgets: ../shared/DESIGN.md.',
    '',
  ];
  if (only.length === 0) writeFileSync(join(ROOT, 'BENCHMARKS.md'), markdown(figures, extra, steal));
  else process.stdout.write(`${markdown(figures, extra, steal)}\n`);
  return missed.length || failures.length ? 1 : 0;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim() + (execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() ? '+changes' : '');
  } catch {
    return 'unknown';
  }
}

process.exitCode = await main();
