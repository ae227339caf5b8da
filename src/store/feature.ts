// The store as a Feature: opens the ledger at construction (the gate runtime needs it before
// start), then every checkIntervalSeconds checks the disk and outbox, sends the daily report
// once per day after storage.dailyReportAt, and purges once per day. A minute tick rather than
// one long timer, because the wall clock of a Pi without RTC jumps when NTP syncs.
import { resolve } from 'node:path';
import type { Feature } from '../kernel/feature.js';
import type { Ledger } from './api.js';
import { type Checkpointer, createCheckpointer } from './checkpointer.js';
import type { StoreContext } from './events.js';
import { openLedger } from './ledger.js';
import { addDays, localDay, localTime } from './time.js';
import { sqliteSynchronous } from './wal-barrier.js';

export interface StoreFeature extends Feature {
  readonly ledger: Ledger;
  /** The WAL checkpointer, when the ledger is a file this feature opened. */
  readonly checkpointer: Checkpointer | undefined;
  /** Synchronous: the ledger is ready when start() returns. */
  start(): void;
  stop(): void;
  /** One round of the periodic work (also run at start); exposed for tests and `gate report`. */
  tick(): void;
}

export interface StoreFeatureOptions {
  ctx: StoreContext;
  /** An already opened ledger (tests); default: opened from ctx.config.storage. */
  ledger?: Ledger;
}

/** How many missed days the daily report catches up after the box was off. */
const CATCH_UP_DAYS = 7;
const maxDay = (a: string, b: string) => (a > b ? a : b);

export function createStoreFeature({ ctx, ledger: given }: StoreFeatureOptions): StoreFeature {
  const { config, bus, logger, clock } = ctx;
  const s = config.storage;
  const ledger =
    given ??
    openLedger({
      path: s.path,
      clock,
      logger,
      gateId: config.gate.id,
      siteId: config.site.id,
      retentionDays: s.retentionDays,
      outboxCap: s.outboxCap,
      minFreeBytes: s.minFreeBytes,
      timeZone: config.site.timezone,
      uplinkNames: s.uplinkNames,
      breachRestartDays: config.rules.breachRestartsQuarantine ? config.rules.quarantineDays : false,
      defaultZoneLevel: config.zoneLevel,
      synchronous: sqliteSynchronous(s.synchronous),
      ...(s.epidemicFreeSince ? { epidemicFreeSince: s.epidemicFreeSince } : {}),
      onChange: (what) => bus.emit('ledger.changed', { what }),
      onAlert: (alert) => bus.emit('alert.raised', { alert }),
    });
  let timer: NodeJS.Timeout | undefined;
  // WAL checkpoints between passages, not inside one (./checkpointer.ts). Not for a ledger handed in.
  const checkpointer: Checkpointer | undefined = given || s.path === ':memory:' ? undefined : createCheckpointer({ ledger, path: resolve(s.path), logger });
  let offPassage: (() => void) | undefined;

  const lastDay = (action: string) => {
    const e = ledger.auditLog({ action, limit: 1 })[0];
    return typeof e?.detail.day === 'string' ? e.detail.day : '';
  };

  function sendReport(day: string): void {
    const { report } = ledger.queueDailyReport(day);
    logger.info({ day, zeroReport: report.zeroReport, entries: report.entries }, 'daily report queued');
    bus.emit('ledger.changed', { what: 'counts' });
  }

  function tick(): void {
    const now = clock.now();
    const today = localDay(now, config.site.timezone);
    try {
      ledger.reloadIfChanged();
      ledger.checkLimits();
      ledger.raiseOverdueVisitors(config.kiosk.visitorOverdueMinutes * 60_000);
      ledger.raiseUnhandledFevers(config.rules.feverHandoverMinutes * 60_000);
      const last = lastDay('daily-report');
      // Reports missed while the box was off are sent late rather than never (up to a week back).
      if (last) {
        for (let day = maxDay(addDays(last, 1), addDays(today, -CATCH_UP_DAYS)); day < today; day = addDays(day, 1)) sendReport(day);
      }
      if (now >= localTime(today, config.site.timezone, s.dailyReportAt) && lastDay('daily-report') < today) sendReport(today);
      if (lastDay('purge-day') < today) {
        const r = ledger.purge(now);
        ledger.audit('system', 'purge-day', { day: today });
        logger.info({ passages: r.passages, visitors: r.visitors, alerts: r.alerts, freedPages: r.freedPages }, 'retention purge done');
      }
    } catch (err) {
      // Disk full or I/O error: the gate keeps deciding (its runtime holds decisions); try again next tick.
      logger.error({ err }, 'storage housekeeping failed; will retry');
    }
  }

  return {
    name: 'store',
    ledger,
    checkpointer,
    tick,
    start() {
      tick();
      timer = setInterval(tick, s.checkIntervalSeconds * 1000);
      timer.unref?.();
      if (checkpointer) {
        checkpointer.start();
        offPassage = bus.on('passage.decided', () => checkpointer.passage());
      }
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      offPassage?.();
      checkpointer?.stop();
      ledger.close();
    },
  };
}
