// Puts the office on the hub's HTTP server: accounts (and the first admin), the alert desk, the
// live feed fed by the ingest's commits, the routes. Called by the hub's composition root.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { HubConfig } from '../config.js';
import type { Ingest } from '../ingest.js';
import type { HubReader } from '../storage/read.js';
import type { HubTables } from '../storage/tables.js';
import { localDay as zoneDay } from '../../store/time.js';
import { Accounts } from './accounts.js';
import { AlertDesk } from './alerts.js';
import { chartRoutes } from './chart.js';
import { type DeclarationAuditReader, declareAuditRoutes } from './declare-routes.js';
import { type SentWord, WordDesk } from './downlinks.js';
import { Escalator } from './escalation.js';
import { ledgerRoutes, reportRoutes } from './ledger-routes.js';
import { moreLedgerRoutes } from './ledgers.js';
import { LiveFeed } from './live.js';
import { DEFAULT_LIMITS, LoginGuard } from './login-guard.js';
import { registerOffice } from './routes.js';
import { wordRoutes } from './word-routes.js';

/** 'YYYY-MM-DD' of an instant in the villages' zone (office.timeZone), not the hub machine's. */
export const localDay = (ms: number, timeZone = 'Asia/Shanghai') => zoneDay(ms, timeZone);

/** An unknown zone would fail at the first screen; say so at start. */
export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`office.timeZone "${timeZone}" is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  return timeZone;
}

export async function startOffice(o: {
  app: FastifyInstance;
  db: Kysely<HubTables>;
  reader: HubReader;
  ingest: Ingest;
  config: HubConfig;
  logger: Logger;
  /** Publishes retained on the broker (the hub's receiver). */
  publish: (topic: string, body: string, opts?: { retain: boolean }) => Promise<void>;
  /** An update went to the gates (the declaration page follows the risk-area list). */
  onWordSent?: (sent: SentWord) => void;
  /** The declaration page's audit (created, viewed), when the page runs on this hub. */
  declarationAudit?: DeclarationAuditReader;
}): Promise<{ adminPassword: string | undefined; live: LiveFeed; accounts: Accounts; words: WordDesk }> {
  const tz = checkTimeZone(o.config.office.timeZone);
  const accounts = new Accounts(o.db, { idleMs: o.config.office.sessionIdleMinutes * 60_000 });
  const adminPassword = await accounts.ensureAdmin();
  if (adminPassword) o.logger.warn('the office has no admin yet: made "admin" with a one-time password, printed once on the console (not logged)');
  const live = new LiveFeed();
  const words = new WordDesk(o.db, { histories: () => o.reader.histories(), publish: o.publish, root: o.config.mqtt.topicRoot });
  o.ingest.onCommitted(({ records, states }) => {
    // A fever case's hand-over at the gate comes as a correction: it shows on the fever alert.
    if (records.some((r) => r.table === 'alerts' || (r.table === 'corrections' && r.data.type === 'fever-handling'))) live.changed('alerts', 'gates');
    if (states.length || records.some((r) => r.table === 'passages')) live.changed('gates');
    const answers = records.filter((r) => r.table === 'downlink_results');
    if (answers.length) {
      void Promise.all(answers.map((r) => words.answer(r.gate, r.data, r.at)))
        .then((kept) => kept.some(Boolean) && live.changed('downlinks'))
        .catch((err: Error) => o.logger.error({ err }, 'office: could not keep a gate\'s answer'));
    }
  });
  const desk = new AlertDesk(o.db);
  const escalator = new Escalator({ desk, accounts, afterMs: o.config.office.escalateAfterMinutes * 60_000, webhook: o.config.office.escalationWebhook, logger: o.logger, changed: () => live.changed('alerts') });
  escalator.start();
  const stopRetry = words.startRetry(o.config.office.downlinkRetrySeconds * 1000, (err) => o.logger.error({ err }, 'office: could not resend an update'));
  o.app.addHook('onClose', async () => {
    stopRetry();
    escalator.stop();
    live.close();
  });
  await registerOffice(o.app, {
    accounts,
    desk,
    reader: o.reader,
    live,
    guard: new LoginGuard(await accounts.deviceKey(), DEFAULT_LIMITS),
    today: () => localDay(Date.now(), tz),
    timeZone: tz,
    now: () => Date.now(),
    logger: o.logger,
    extra: [
      wordRoutes(words, (sent) => {
        live.changed('downlinks');
        o.onWordSent?.(sent);
      }),
      ledgerRoutes(o.reader, tz),
      moreLedgerRoutes(o.reader, Date.now, tz),
      declareAuditRoutes(o.declarationAudit ?? (() => undefined)),
      reportRoutes(o.db, () => localDay(Date.now(), tz), { timeZone: tz }),
      chartRoutes(o.db, () => Date.now()),
    ],
  });
  return { adminPassword, live, accounts, words };
}
