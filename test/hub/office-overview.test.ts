// The overview's data on both engines: refusal reasons in the gate's words (not codes), the 24-hour
// chart's passages per gate per hour, the fever hand-over the gate recorded on its alert, and the
// villages' time zone told to the page.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordMsg } from '../../src/hub/classify.js';
import { refusalReasons } from '../../src/hub/office/overview.js';
import { checkTimeZone, localDay } from '../../src/hub/office/start.js';
import { alertRecord, officeOn, signIn } from './office-support.js';
import { AlertDesk } from '../../src/hub/office/alerts.js';
import { migrate } from '../../src/hub/storage/migrations.js';
import type { HubTables } from '../../src/hub/storage/tables.js';
import { ENGINES, freshStorage, passage } from './support.js';

const HOUR = 3_600_000;

function correction(seq: number, gate: string, data: Record<string, unknown>, at: number): RecordMsg {
  return { ...passage(seq, { gate }), table: 'corrections', at, data, dataJson: JSON.stringify(data) };
}

describe('refusal reasons', () => {
  it('are the gate\'s own words, most first; an unknown code stays readable as itself', () => {
    expect(refusalReasons({ 'risk.visitor': 1, 'code.red': 2, 'new.reason': 1, 'zone.sealed': 0 })).toEqual([
      { code: 'code.red', n: 2, zh: '健康码红码，不予通行', en: 'Red health code; not admitted' },
      { code: 'new.reason', n: 1, zh: 'new.reason', en: 'new.reason' },
      { code: 'risk.visitor', n: 1, zh: '14天内有中高风险地区旅居史，外来人员不得进入', en: 'Stay in a medium/high-risk area within the look-back period; outsiders may not enter' },
    ]);
    expect(refusalReasons('not an object')).toEqual([]);
  });
});

describe('the villages\' time zone', () => {
  it('gives "today" in office.timeZone, not the machine\'s, and refuses a zone that is not one at start', () => {
    const t = Date.UTC(2026, 11, 6, 17, 0); // 01:00 on the 7th in Shanghai
    expect(localDay(t, 'Asia/Shanghai')).toBe('2026-12-07');
    expect(localDay(t, 'Europe/London')).toBe('2026-12-06');
    expect(checkTimeZone('Asia/Urumqi')).toBe('Asia/Urumqi');
    expect(() => checkTimeZone('Beijing')).toThrow(/office.timeZone "Beijing" is not an IANA time zone/);
  });
});

describe.each(ENGINES)('office overview on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('counts passages per gate per hour over the last 24 hours, and says the refusals in words', async () => {
    const now = Date.UTC(2026, 11, 6, 10, 30);
    const off = await officeOn(engine, { now: () => now });
    closers.push(off.close);
    const at = (msAgo: number) => now - msAgo;
    await off.writer.write({
      records: [
        passage(1, { gate: 'g1', at: at(10 * 60_000) }),
        passage(2, { gate: 'g1', at: at(20 * 60_000) }),
        passage(3, { gate: 'g1', at: at(5 * HOUR) }),
        passage(1, { gate: 'g2', at: at(23 * HOUR) }),
        // Older than the window: not counted.
        passage(2, { gate: 'g2', at: at(25 * HOUR) }),
        passage(1, { site: 'v2', gate: 'g1', at: at(HOUR) }),
      ],
      states: [{ type: 'counts', site: 'v1', gate: 'g1', ledger: 'L1', highest: 3, json: JSON.stringify({ day: '2026-12-06', entries: 3, exits: 0, refusals: 3, refusalsByReason: { 'code.red': 2, 'risk.visitor': 1 }, peopleInside: 3, visitorsInside: 0, feverAlerts: 0 }) }],
      rejects: [],
    });
    const viewer = await signIn(off.app, 'viewer1', await off.user('viewer1', 'viewer'));
    const c = (await viewer.get('/office/api/overview/hourly')).json();
    expect(c.hours).toHaveLength(24);
    expect(c.hours[23]).toBe(Date.UTC(2026, 11, 6, 10));
    const series = Object.fromEntries(c.gates.map((g: { site: string; gate: string; passages: number[] }) => [`${g.site}/${g.gate}`, g.passages]));
    expect(series['v1/g1'][23]).toBe(2);
    expect(series['v1/g1'][18]).toBe(1);
    expect(series['v1/g2'][0]).toBe(1);
    expect(series['v1/g2'].reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(series['v2/g1'][22]).toBe(1);

    const o = (await viewer.get('/office/api/overview')).json();
    const g1 = o.gates.find((g: { gate: string; site: string }) => g.site === 'v1' && g.gate === 'g1');
    expect(g1.today.refusalReasons.map((r: { zh: string; n: number }) => `${r.zh} ${r.n}`)).toEqual(['健康码红码，不予通行 2', '14天内有中高风险地区旅居史，外来人员不得进入 1']);
    expect((await viewer.get('/office/api/me')).json().timeZone).toBe('Asia/Shanghai');
  });

  it('shows on a fever alert the latest hand-over the gate recorded for its passage', async () => {
    const off = await officeOn(engine);
    closers.push(off.close);
    const fever = alertRecord(10, { gate: 'g1', at: 1_700_000_000_000 });
    fever.data = { ...fever.data, passageId: 'pass-10' };
    fever.dataJson = JSON.stringify(fever.data);
    const other = alertRecord(11, { gate: 'g2', at: 1_700_000_000_000, kind: 'code-red' });
    await off.writer.write({
      records: [
        fever,
        other,
        correction(20, 'g1', { type: 'fever-handling', passageId: 'pass-10', at: 1_700_000_000_000, called: '镇卫生院', calledAt: 1_700_000_060_000, updatedBy: 'vol1' }, 1_700_000_060_000),
        correction(21, 'g1', { type: 'fever-handling', passageId: 'pass-10', at: 1_700_000_000_000, called: '镇卫生院', calledAt: 1_700_000_060_000, handedTo: '镇卫生院 王医生', handedAt: 1_700_001_000_000, outcome: 'collected', updatedBy: 'vol1' }, 1_700_001_000_000),
        // Same passage id at another gate: not this alert's.
        correction(22, 'g2', { type: 'fever-handling', passageId: 'pass-10', handedTo: 'someone else' }, 1_700_001_000_000),
      ],
      states: [],
      rejects: [],
    });
    const viewer = await signIn(off.app, 'viewer1', await off.user('viewer1', 'viewer'));
    const feed = (await viewer.get('/office/api/alerts')).json();
    const a = feed.open.find((x: { gate: string }) => x.gate === 'g1');
    expect(a.handover).toEqual({ called: '镇卫生院', calledAt: 1_700_000_060_000, handedTo: '镇卫生院 王医生', handedAt: 1_700_001_000_000, outcome: 'collected', updatedBy: 'vol1' });
    expect(feed.open.find((x: { gate: string }) => x.gate === 'g2').handover).toBeUndefined();
    // Kinds in the gate's words, not codes.
    expect(a.kindText).toEqual({ zh: '发热', en: 'Fever' });
    expect(feed.open.find((x: { gate: string }) => x.gate === 'g2').kindText).toEqual({ zh: '健康码红码', en: 'Red health code' });
  });

  it('keeps the open alerts apart by a partial index: a closed alert leaves it, and alerts closed before the migration are marked', async () => {
    const where = await freshStorage(engine);
    const db = new Kysely<HubTables>({ dialect: where.url ? new PostgresDialect({ pool: new pg.Pool({ connectionString: where.url, max: 2 }) }) : new SqliteDialect({ database: new Database(join(where.dataDir, 'hub.db')) }) });
    closers.push(() => db.destroy());
    await migrate(db, engine, 3);
    const row = (seq: number) => ({ site: 'v1', gate: 'g1', history: 1, seq, at: seq, clock_synced: 1, received_at: seq, data: '{}', alert_id: `a${seq}`, kind: 'fever', severity: 'critical', lane: null });
    await db.insertInto('alerts').values([row(1), row(2), row(3)]).execute();
    await db.insertInto('alert_actions').values({ site: 'v1', gate: 'g1', history: 1, seq: 1, acked_by: 'x', acked_at: 5, note: null, assigned_to: null, closed_by: 'x', closed_at: 6, outcome: 'other', escalated_at: null }).execute();
    await db.insertInto('alert_actions').values({ site: 'v1', gate: 'g1', history: 1, seq: 3, acked_by: 'x', acked_at: 5, note: null, assigned_to: null, closed_by: null, closed_at: null, outcome: null, escalated_at: null }).execute();
    await db.insertInto('alerts').values(row(4)).execute();
    await migrate(db, engine);
    const desk = new AlertDesk(db);
    // 1 closed before; 3 acknowledged, still open; 2 and 4 neither.
    expect((await desk.feed()).open.map((a) => a.seq)).toEqual([4, 2, 3]);
    expect(await desk.unackedCritical()).toBe(2);
    await desk.ack({ site: 'v1', gate: 'g1', history: 1, seq: 4 }, 'duty1', '', 9);
    expect(await desk.unackedCritical()).toBe(1);
    await desk.close({ site: 'v1', gate: 'g1', history: 1, seq: 2 }, 'duty1', 'retest-normal', '', 10);
    const feed = await desk.feed();
    expect(feed.open.map((a) => a.seq)).toEqual([4, 3]);
    expect(feed.closed.map((a) => a.seq)).toEqual([2, 1]);
    expect(await desk.unackedCritical()).toBe(0);
    expect((await desk.openByGate()).get('v1/g1')).toEqual({ open: 2, unackedCritical: 0 });
  });
});
