// SD-card wear: the bytes the daemon's ledger writes for one busy day at the gate (10,000
// passages), as the kernel counts them for the process (/proc/self/io write_bytes: what it sent
// to the block layer, WAL, checkpoints and fsyncs included) and as the files grew. The day is the
// daemon's write pattern: each passage committed (passage + outbox rows, one transaction), the
// outbox drained and acknowledged in small batches as the uplink does, the daily report at night,
// WAL checkpoints as SQLite runs them, closed (final checkpoint) at the end.
// Run alone: scripts/measure-writes.sh (= node dist/bench/deploy.js [passages] [dir]).
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Passage } from '../src/gate/model.js';
import { openLedger } from '../src/store/ledger.js';
import { type Figure, median } from './report.js';

export interface WriteMeasure {
  passages: number;
  synchronous: 'FULL' | 'NORMAL';
  /** /proc/self/io write_bytes over the day. */
  writeBytes: number;
  /** /proc/self/io wchar: bytes passed to write(2)/pwrite(2), before the page cache. */
  wchar: number;
  /** Size of gate.db after the day (WAL checkpointed). */
  dbBytes: number;
  seconds: number;
}

function io(): { writeBytes: number; wchar: number } {
  const text = readFileSync('/proc/self/io', 'utf8');
  const n = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { writeBytes: n('write_bytes'), wchar: n('wchar') };
}

function passage(i: number, at: number): Passage {
  const person = i % 800;
  const fever = i % 500 === 0;
  const refused = fever || i % 23 === 0;
  const id = `p-${at.toString(36)}-${i}`;
  return {
    id,
    lane: 'main',
    direction: i % 2 === 0 ? 'in' : 'out',
    subject: { kind: 'person', id: `card-${person}`, personId: `per-${person}`, householdId: `hh-${person % 250}`, name: '王建国', idTail: String(1000 + person) },
    temperatures: [{ celsius: fever ? 38.1 : 36.5, source: 'device', deviceId: 'thermo-1', at }],
    colour: 'green',
    colourSource: 'verifier',
    mask: true,
    maskSource: 'operator',
    outcome: refused ? 'refused' : 'admitted',
    reasons: fever ? [{ code: 'temp.fever', zh: '体温异常', en: 'Fever' }] : refused ? [{ code: 'code.yellow', zh: '黄码', en: 'Yellow code' }] : [{ code: 'ok', zh: '通过', en: 'Admitted' }],
    startedAt: at - 900,
    decidedAt: at,
    clockSynced: true,
    actions: [],
    alerts: fever ? [{ id: `a-${id}`, kind: 'fever', severity: 'critical', lane: 'main', passageId: id, text: { zh: '发热', en: 'Fever' }, at, detail: { celsius: 38.1 } }] : [],
    flags: [],
    zoneLevel: 'normal',
  };
}

/** One busy day of ledger writes in `dir` (a real file system: not tmpfs, where nothing is counted). */
export function measureWrites(o: { passages?: number; dir?: string; synchronous?: 'FULL' | 'NORMAL' } = {}): WriteMeasure {
  const passages = o.passages ?? 10_000;
  const synchronous = o.synchronous ?? 'FULL';
  const dir = mkdtempSync(join(o.dir ?? tmpdir(), 'gate-writes-'));
  try {
    const path = join(dir, 'gate.db');
    const day = Date.UTC(2026, 10, 23, 0, 0, 0);
    let now = day;
    const clock = { now: () => now, synced: () => true };
    // The schema and first pages exist before the day starts, as on a gate already running.
    openLedger({ path, clock, gateId: 'east-gate', siteId: 'village', timeZone: 'Asia/Shanghai', synchronous }).close();
    const t0 = performance.now();
    const before = io();
    const ledger = openLedger({ path, clock, gateId: 'east-gate', siteId: 'village', timeZone: 'Asia/Shanghai', synchronous });
    const spacing = Math.floor((24 * 3_600_000) / passages);
    for (let i = 0; i < passages; i++) {
      now = day + i * spacing;
      ledger.recordPassage(passage(i, now));
      // The uplink publishes and acknowledges a few at a time.
      if (i % 5 === 4) {
        const batch = ledger.outboxBatch(50);
        ledger.outboxAck(batch.map((r) => r.seq));
      }
    }
    now = day + 20 * 3_600_000;
    ledger.enqueue('report', { ...ledger.dailyReport() });
    ledger.outboxAck(ledger.outboxBatch(1000).map((r) => r.seq));
    ledger.close();
    const after = io();
    return {
      passages,
      synchronous,
      writeBytes: after.writeBytes - before.writeBytes,
      wchar: after.wchar - before.wchar,
      dbBytes: statSync(path).size,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MB = 1024 * 1024;

export async function run(): Promise<Figure[]> {
  const runs = 3;
  const full = Array.from({ length: runs }, () => measureWrites({ synchronous: 'FULL' }));
  const wBytes = median(full.map((m) => m.writeBytes));
  const wchar = median(full.map((m) => m.wchar));
  return [
    {
      name: 'SD-card writes per busy day (10,000 passages, ledger + outbox, synchronous=FULL)',
      value: wBytes / MB,
      unit: 'MiB/day',
      baseline: { name: 'bytes handed to write(2)', value: wchar / MB },
      runs,
      note: `/proc/self/io write_bytes; db file after the day ${(median(full.map((m) => m.dbBytes)) / MB).toFixed(1)} MiB; journald logs not included (docs/field.md)`,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const passages = Number(process.argv[2] ?? 10_000);
  const dir = process.argv[3];
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    const m = measureWrites({ passages, synchronous, ...(dir ? { dir } : {}) });
    console.log(
      `${m.passages} passages, synchronous=${synchronous}: write_bytes ${(m.writeBytes / MB).toFixed(1)} MiB, wchar ${(m.wchar / MB).toFixed(1)} MiB, ` +
        `${(m.writeBytes / m.passages / 1024).toFixed(1)} KiB/passage, gate.db ${(m.dbBytes / MB).toFixed(1)} MiB, ${m.seconds.toFixed(1)} s`,
    );
  }
}
