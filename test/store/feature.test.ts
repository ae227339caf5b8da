// The running store feature, on a fake clock: the daily report (日报) goes to the outbox at the
// configured local time, once a day, as a zero report (零报告) when nothing happened; the
// epidemic-free-days counter follows the reset rule; the daily purge removes personal data older
// than the retention and keeps the aggregates.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/kernel/bus.js';
import type { AppContext, AppEvents } from '../../src/app/context.js';
import { validateConfig } from '../../src/config/load.js';
import type { Alert } from '../../src/gate/model.js';
import type { DailyReport, Ledger } from '../../src/store/api.js';
import { createStoreFeature, type StoreFeature } from '../../src/store/feature.js';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const DAY = 86_400_000;
/** 2026-11-23 19:00 in Shanghai. */
const T0 = Date.UTC(2026, 10, 23, 11);

function setup() {
  const base = validateConfig({}).config;
  if (!base) throw new Error('the default configuration does not validate');
  const config = {
    ...base,
    site: { ...base.site, timezone: 'Asia/Shanghai' },
    storage: { ...base.storage, dailyReportAt: '20:00', retentionDays: 30, checkIntervalSeconds: 60, epidemicFreeSince: '2026-11-01' },
  };
  const clock = { now: () => Date.now(), mono: () => performance.now(), synced: () => true };
  const bus = new EventBus<AppEvents>();
  const ctx: AppContext = { config, bus, logger: pino({ level: 'silent' }), clock, dataDir: '/tmp' };
  const raised: Alert[] = [];
  bus.on('alert.raised', ({ alert }) => raised.push(alert));
  const ledger: Ledger = openLedger({
    path: ':memory:',
    clock,
    gateId: config.gate.id,
    siteId: config.site.id,
    timeZone: 'Asia/Shanghai',
    retentionDays: 30,
    epidemicFreeSince: '2026-11-01',
    onAlert: (alert) => bus.emit('alert.raised', { alert }),
  });
  const reports = (): DailyReport[] =>
    ledger
      .outboxBatch(10_000)
      .filter((r) => r.kind === 'report')
      .map((r) => r.payload as unknown as DailyReport);
  return { ctx, ledger, reports, raised, feature: (): StoreFeature => createStoreFeature({ ctx, ledger }) };
}

/** Move the fake clock to a Shanghai local time, letting every minute tick fire on the way. */
async function advanceTo(day: string, hhmm: string): Promise<void> {
  const target = Date.parse(`${day}T${hhmm}:00+08:00`);
  await vi.advanceTimersByTimeAsync(target - Date.now());
}

describe('the store feature', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0, toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the daily report at the configured time, once a day, with a zero report when nothing happened', async () => {
    const { ledger, reports, feature } = setup();
    for (let i = 1; i <= 4; i++) ledger.recordPassage(passage(i * 2, Date.now() - 3_600_000 + i * 1000)); // four entries
    ledger.recordPassage(passage(97, Date.now() - 1_800_000)); // a fever: refused, alert
    const f = feature();
    f.start();
    try {
      await advanceTo('2026-11-23', '19:59');
      expect(reports()).toEqual([]);
      await advanceTo('2026-11-23', '20:01');
      const [first] = reports();
      expect(reports()).toHaveLength(1);
      expect(first).toMatchObject({
        type: 'daily-report',
        day: '2026-11-23',
        gateId: 'gate-1',
        siteId: 'demo-village',
        entries: 4,
        exits: 0,
        refusals: 1,
        refusalsByReason: { 'temp.fever': 1 },
        feverAlerts: 1,
        zeroReport: false,
        epidemicFreeDays: 23,
        clockSynced: true,
      });
      // Queued and audited in one transaction, after alerts and before the passages (priority), never twice for a day.
      const queued = ledger.outboxBatch(10).find((r) => r.kind === 'report');
      expect(ledger.auditLog({ action: 'daily-report' }).map((e) => e.detail)).toEqual([{ day: '2026-11-23', zeroReport: false, seq: queued?.seq }]);
      expect(ledger.outboxBatch(3).map((r) => r.kind)).toEqual(['alert', 'report', 'passage']);
      await advanceTo('2026-11-24', '19:00');
      expect(reports()).toHaveLength(1);

      // A day without anything: a zero report.
      await advanceTo('2026-11-24', '20:00');
      expect(reports()).toHaveLength(2);
      expect(reports()[1]).toMatchObject({ day: '2026-11-24', entries: 0, exits: 0, refusals: 0, feverAlerts: 0, zeroReport: true, epidemicFreeDays: 24 });
      expect(reports()[1]?.generatedAt).toBe(Date.parse('2026-11-24T20:00:00+08:00'));
    } finally {
      f.stop();
    }
  });

  it('restarts the epidemic-free count the day after a case leaves the compound (seed 004)', async () => {
    const { ledger, reports, feature } = setup();
    const f = feature();
    f.start();
    try {
      await advanceTo('2026-11-24', '20:01');
      ledger.recordCase({ kind: 'case', foundDay: '2026-11-25' }, 'admin');
      await advanceTo('2026-11-25', '20:01');
      await advanceTo('2026-11-26', '09:00');
      ledger.recordCase({ kind: 'case', foundDay: '2026-11-25', leftDay: '2026-11-26' }, 'admin');
      await advanceTo('2026-11-28', '20:01');
      const byDay = Object.fromEntries(reports().map((r) => [r.day, r]));
      expect(Object.keys(byDay)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28']);
      expect(byDay['2026-11-24']?.epidemicFreeDays).toBe(24);
      // Found that day: not a zero report, and the count is zero while the case is inside.
      expect(byDay['2026-11-25']).toMatchObject({ epidemicFreeDays: 0, zeroReport: false });
      expect(byDay['2026-11-26']).toMatchObject({ epidemicFreeDays: 0, zeroReport: true });
      expect(byDay['2026-11-27']?.epidemicFreeDays).toBe(1);
      expect(byDay['2026-11-28']?.epidemicFreeDays).toBe(2);
      expect(ledger.epidemicFreeDays('2026-12-06')).toBe(10);
    } finally {
      f.stop();
    }
  });

  it('sends the reports of days missed while the box was off, late rather than never (a week back)', () => {
    const { reports, feature } = setup();
    const f = feature();
    vi.setSystemTime(Date.parse('2026-11-23T20:01:00+08:00'));
    f.tick();
    // Power off for two and a half days; the first tick after boot sends the missed days.
    vi.setSystemTime(Date.parse('2026-11-26T08:00:00+08:00'));
    f.tick();
    expect(reports().map((r) => r.day)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    f.tick();
    vi.setSystemTime(Date.parse('2026-11-26T20:00:00+08:00'));
    f.tick();
    expect(reports().map((r) => r.day)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
    // Off for a month: only the last week is caught up.
    vi.setSystemTime(Date.parse('2026-12-28T07:00:00+08:00'));
    f.tick();
    expect(reports().slice(4).map((r) => r.day)).toEqual(['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-27']);
    f.stop();
  });

  it('purges personal data older than the retention once a day; the counts survive', async () => {
    const { ledger, feature } = setup();
    const old = Date.now() - 31 * DAY;
    for (let i = 1; i <= 10; i++) ledger.recordPassage(passage(i * 2, old + i * 1000));
    const v = ledger.registerVisitor({ name: '赵六', phone: '13912345678', travel: [], id: 'v-old' });
    ledger.signOutVisitor(v.id, 'op');
    ledger.recordPassage(passage(200, Date.now() - 1000));
    const oldDay = new Date(old + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(ledger.passages({ limit: 1000 })).toHaveLength(11);

    const f = feature();
    f.start();
    try {
      // Visitors are purged by sign-out time: the sign-out was today, so the row stays for now.
      expect(ledger.passages({ limit: 1000 }).map((p) => p.passage.id)).toEqual([passage(200, 0).id]);
      expect(ledger.dailyReport(oldDay).entries).toBe(10);
      expect(ledger.auditLog({ action: 'purge', limit: 10 })).toHaveLength(1);
      // Once per day: later ticks of the same day do not purge again.
      await advanceTo('2026-11-23', '23:59');
      expect(ledger.auditLog({ action: 'purge', limit: 10 })).toHaveLength(1);
      await advanceTo('2026-11-24', '00:01');
      expect(ledger.auditLog({ action: 'purge', limit: 10 })).toHaveLength(2);
      // A month later (no need to tick through every minute of it).
      vi.setSystemTime(Date.parse('2026-12-24T00:01:00+08:00'));
      f.tick();
      expect(ledger.visitors({ limit: 100 })).toEqual([]);
      expect(ledger.passages({ limit: 1000 })).toEqual([]);
      expect(ledger.dailyReport(oldDay).entries).toBe(10);
    } finally {
      f.stop();
    }
  });
});
