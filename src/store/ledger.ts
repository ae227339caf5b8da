// openLedger(): the Ledger of ./api.ts over one better-sqlite3 connection (the single writer).
import type { Alert, AlertKind, Passage } from '../gate/model.js';
import type { Ledger, OpenLedgerOptions, StorageHealth } from './api.js';
import { openDatabase, type StoreCtx } from './db.js';
import { createDeclarations } from './declarations.js';
import { exportRows } from './export-rows.js';
import { createDeliveries } from './deliveries.js';
import { createFever } from './fever.js';
import { createHealth } from './health.js';
import { createPracticeLedger } from './ledger-practice.js';
import { createQuarantine } from './quarantine.js';
import { createOperators } from './operators.js';
import { createOutbox, defaultPriority } from './outbox.js';
import { createPassages } from './passages.js';
import { createPolicy } from './policy.js';
import { createReports } from './reports.js';
import { health, purge, type WriteFailure } from './retention.js';
import { createRoster } from './roster.js';
import { addDays, localDay, localTime } from './time.js';
import { createVisitors } from './visitors.js';
import { createWriterSignal } from './writer-signal.js';

/** Past this many rows a change is read back into the gate's roster view in the background, not row by row at once. */
const TOUCH_ROWS_MAX = 500;

export function openLedger(options: OpenLedgerOptions): Ledger {
  const db = openDatabase(options.path, options.synchronous ?? 'FULL');
  if (options.maxBytes !== undefined) {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
  }
  const ctx: StoreCtx = {
    db,
    now: () => options.clock.now(),
    synced: () => options.clock.synced(),
    timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    gateId: options.gateId,
    siteId: options.siteId,
    path: options.path,
    ...(options.logger ? { logger: options.logger } : {}),
  };
  const retentionDays = options.retentionDays ?? 30;
  const outboxCap = options.outboxCap ?? 500_000;
  const minFreeBytes = options.minFreeBytes ?? 50_000_000;
  const changed = (what: Parameters<NonNullable<OpenLedgerOptions['onChange']>>[0]) => {
    try {
      options.onChange?.(what);
    } catch (err) {
      ctx.logger?.error({ err }, 'ledger change listener failed');
    }
  };

  const outbox = createOutbox(ctx);
  const uplinkNames = options.uplinkNames ?? false;
  const fever = createFever(ctx, outbox);
  const deliveries = createDeliveries(ctx, outbox);
  const quarantine = createQuarantine(ctx, outbox);
  const breachRestartDays = options.breachRestartDays === undefined ? 14 : options.breachRestartDays;
  /** Persons a passage's transaction changed (a restarted quarantine); the roster view re-reads them after commit. */
  let rosterTouched: string[] = [];
  const afterRecord = (p: Passage) => {
    fever.openFor(p);
    if (breachRestartDays === false) return;
    const c = quarantine.restartOnBreach(p, breachRestartDays);
    if (c) {
      operators.audit('gate', 'quarantine-change', { ...c });
      rosterTouched.push(c.personId);
    }
  };
  const passages = createPassages(ctx, outbox, { uplinkNames, signOutVisitor: (id, at, by) => void visitors.signOut(id, by, at), afterRecord });
  const visitors = createVisitors(ctx, { outbox, uplinkNames, onRegistered: (at) => passages.bumpVisitors(localDay(at, ctx.timeZone)) });
  const roster = createRoster(ctx, (id) => visitors.registration(id));
  const operators = createOperators(ctx);
  const policy = createPolicy(ctx, options.defaultZoneLevel ?? 'normal');
  const deliveryCounts = (day: string) => deliveries.counts(localTime(day, ctx.timeZone), localTime(addDays(day, 1), ctx.timeZone));
  const reports = createReports(ctx, passages, policy, deliveryCounts, options.epidemicFreeSince);
  const healthCodes = createHealth(ctx);
  let closed = false;
  let dataVersion = db.pragma('data_version', { simple: true }) as number;
  const raised = new Set<AlertKind>();
  let failure: WriteFailure | undefined;
  /** Storage alerts the full disk refused; stored once it writes again. */
  const heldAlerts: Alert[] = [];

  /** Raised while this connection wants the writer lock: the downlink worker then steps aside (./writer-signal.ts). */
  const writer = createWriterSignal();

  /** Runs fn in one IMMEDIATE transaction; the in-memory outbox depth follows a rollback. */
  function write<T>(fn: () => T): T {
    if (closed) throw new Error('The ledger is closed');
    try {
      const r = writer.run(() => db.transaction(fn).immediate());
      outbox.committed();
      if (failure) recovered();
      return r;
    } catch (err) {
      outbox.recount();
      throw storageError(err);
    }
  }

  /** A disk that refuses writes is an episode: one alert when it starts, health() shows it until a write succeeds. */
  function storageError(err: unknown): unknown {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN')) return err;
    const message = `${code}: ${(err as Error).message}`;
    const first = failure === undefined;
    failure = { error: message, since: failure?.since ?? ctx.now() };
    if (first) {
      ctx.logger?.error({ err, path: ctx.path }, 'the ledger cannot write; decisions are held in memory until it can');
      limitAlert('disk-full', health(ctx, outbox.depth(), outboxCap, minFreeBytes, failure));
    }
    const wrapped = new Error(
      code === 'SQLITE_FULL'
        ? `The disk holding the ledger (${ctx.path}) is full: the record was not stored. Free space or replace the storage card; the gate keeps deciding and retries.`
        : `The ledger (${ctx.path}) cannot write (${message}): the record was not stored. Check the storage card; the gate keeps deciding and retries.`,
      { cause: err },
    );
    (wrapped as Error & { code: string }).code = code;
    return wrapped;
  }

  function recovered(): void {
    ctx.logger?.warn({ failingSince: failure?.since }, 'the ledger writes again');
    failure = undefined;
    while (heldAlerts.length) {
      try {
        writer.run(() => db.transaction(() => passages.recordAlert(heldAlerts[0] as Alert)).immediate());
        outbox.committed();
        heldAlerts.shift();
      } catch {
        outbox.recount();
        break;
      }
    }
    limitAlert('disk-full', health(ctx, outbox.depth(), outboxCap, minFreeBytes));
    changed('alerts');
  }

  function limitAlert(kind: 'disk-full' | 'outbox-full', h: StorageHealth): void {
    const on = kind === 'disk-full' ? h.diskLow || !h.writable : h.outboxFull;
    if (!on) {
      raised.delete(kind);
      return;
    }
    if (raised.has(kind)) return;
    const now = ctx.now();
    const alert: Alert = {
      id: `${ctx.gateId}-${kind}-${now}`,
      kind,
      severity: 'critical',
      at: now,
      text:
        kind === 'disk-full'
          ? { zh: '存储空间不足:请清理或更换存储卡,闸机仍在判定', en: 'Storage almost full: free space or replace the card; the gate keeps deciding' }
          : { zh: '上传队列已满:与指挥部的连接中断过久,记录仍全部保留', en: 'Uplink queue full: the hub link has been down too long; every record is still kept' },
      detail: kind === 'disk-full' ? { freeBytes: h.freeBytes, minFreeBytes, ...(h.lastWriteError ? { error: h.lastWriteError } : {}) } : { outboxDepth: h.outboxDepth, outboxCap },
    };
    raised.add(kind);
    try {
      // Not through write(): a failure here must not start another episode.
      writer.run(() => db.transaction(() => passages.recordAlert(alert)).immediate());
      outbox.committed();
    } catch (err) {
      outbox.recount();
      // A full disk refuses even this row: the alert still reaches the kiosk through onAlert, and is stored later.
      heldAlerts.push(alert);
      ctx.logger?.error({ err, kind }, 'could not store the storage alert yet');
    }
    options.onAlert?.(alert);
    changed('alerts');
  }

  /** A passage and, for an override, its audit row: whatever path the override came by (kiosk, CLI, replay), in the same transaction. */
  function recordOne(p: Passage): number {
    const seq = passages.record(p);
    if (p.outcome === 'overridden') {
      const previous = p.alerts.find((a) => a.kind === 'override')?.detail?.previousPassageId;
      operators.audit(p.operatorId ?? 'unknown', 'override', {
        passageId: p.id,
        lane: p.lane,
        decision: p.reasons[0]?.code === 'override.admit' ? 'admit' : 'refuse',
        subject: p.subject ? { kind: p.subject.kind, id: p.subject.id } : null,
        reasons: p.reasons.map((r) => r.code),
        ...(previous ? { previousPassageId: previous } : {}),
        ...(p.overrideReason ? { reason: p.overrideReason } : {}),
      });
    }
    return seq;
  }

  /** After a passage transaction committed (or failed): a roster it changed is re-read by the gate. */
  function afterPassages<T>(r: T): T {
    if (rosterTouched.length) {
      roster.touch({ persons: rosterTouched });
      rosterTouched = [];
      changed('roster');
    }
    return r;
  }

  const practice = createPracticeLedger({ ctx, write, changed, onAlert: (a) => options.onAlert?.(a), isClosed: () => closed, operators, passages, visitors, roster, policy, fever, quarantine, deliveries });


  let ledgerId: string | undefined;
  const ledger: Ledger = {
    gateId: options.gateId,
    siteId: options.siteId,
    recordPassage: (p) => ({ seq: afterPassages(write(() => recordOne(p))) }),
    recordAlert: (a) => ({ seq: write(() => passages.recordAlert(a)) }),
    recordDecisions: (items) => (items.length === 0 ? [] : afterPassages(write(() => items.map((d) => (d.kind === 'passage' ? recordOne(d.passage) : passages.recordAlert(d.alert)))))),
    passages: (q) => passages.query(q),
    passage: (id) => passages.one(id),
    todayCounts: (now) => {
      const c = passages.counts(now ?? ctx.now());
      return { ...c, ...deliveryCounts(c.day) };
    },

    outboxBatch: (limit, range) => outbox.batch(limit, range),
    outboxFresh: () => outbox.fresh(),
    outboxAck: (seqs) => {
      if (writer.run(() => outbox.ack(seqs)) > 0) changed('outbox');
    },
    outboxDepth: () => outbox.depth(),
    outboxResend: (from, to) => {
      const r = write(() => outbox.resend(from, to));
      // Rows came back without insert(): the drain must read the outbox, not its in-memory hand-over.
      outbox.recount();
      if (r.requeued > 0) changed('outbox');
      return r;
    },
    ledgerId: () => {
      ledgerId ??= (db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'ledger_id'").get()?.value ?? '');
      return ledgerId;
    },
    enqueue: (kind, payload, priority) => {
      const seq = write(() => outbox.insert(kind, payload, priority ?? defaultPriority(kind)));
      changed('outbox');
      return { seq };
    },

    rosterView: () => roster.view(),
    file: () => (options.path === ':memory:' ? undefined : options.path),
    writerSignal: () => writer,
    writerFree: () => writer.free(),
    rosterReplaced: () => {
      if (closed) return;
      policy.invalidate();
      roster.rebuildInBackground(() => {
        if (!closed) changed('roster');
      });
    },
    rosterVersion: () => roster.version(),
    applyRoster: (change, opts = {}) => {
      if (closed) throw new Error('The ledger is closed');
      const r = writer.run(() => roster.apply(change, opts.version));
      if (r.result === 'applied') {
        operators.audit(opts.actor ?? 'hub', 'roster-change', { version: r.version, full: change.full === true, households: r.households, persons: r.persons, cards: r.cards });
        policy.invalidate();
        changed('roster');
      }
      return r;
    },
    households: (q) => roster.households(q),
    persons: (q) => roster.persons(q),
    person: (id) => roster.person(id),
    rosterStats: () => roster.stats(),
    issueCard: (card, actor) => {
      write(() => {
        roster.apply({ cards: [{ ...card, issuedBy: card.issuedBy ?? actor }] });
        operators.audit(actor, 'card-issue', { id: card.id, type: card.type, householdId: card.householdId });
      });
      changed('roster');
      const c = roster.card(card.id);
      if (!c) throw new Error(`Card ${card.id} was not stored`);
      return c;
    },
    revokeCard: (id, reason, actor) => {
      const ok = write(() => {
        const r = roster.revokeCard(id, reason);
        if (r) operators.audit(actor, 'card-revoke', { id, reason });
        return r;
      });
      if (ok) {
        policy.invalidate();
        changed('roster');
        changed('policy');
      }
      return ok;
    },
    cards: (q) => roster.cards(q),
    vehiclePermits: (q) => roster.vehiclePermits(q),

    registerVisitor: (form) => {
      const v = write(() => visitors.register(form));
      changed('visitors');
      changed('outbox');
      return v;
    },
    signOutVisitor: (id, operatorId) => {
      const ok = write(() => visitors.signOut(id, operatorId));
      if (ok) {
        changed('visitors');
        changed('outbox');
      }
      return ok;
    },
    visitorsInside: () => visitors.inside(),
    visitors: (q) => visitors.list(q),
    ...practice,
    declarations: createDeclarations(ctx, { write, outbox, visitors, changed }),

    alerts: (q) => passages.alerts(q),
    acknowledgeAlert: (id, operatorId) => {
      const ok = write(() => {
        const r = passages.acknowledge(id, operatorId);
        if (r) operators.audit(operatorId, 'alert-ack', { alertId: id });
        return r;
      });
      if (ok) changed('alerts');
      return ok;
    },
    unacknowledgedAlerts: () => passages.unacknowledged(),

    createOperator: (o, actor) => operators.create(o, actor),
    setOperatorPin: (id, pin, actor) => operators.setPin(id, pin, actor),
    setOperatorActive: (id, active, actor) => operators.setActive(id, active, actor),
    verifyOperator: (id, pin) => operators.verify(id, pin),
    operators: () => operators.list(),
    hasAdmin: () => operators.hasAdmin(),
    dutySignIn: (id, note) => operators.dutySignIn(id, note),
    dutySignOut: (id) => operators.dutySignOut(id),
    duty: (q) => operators.duty(q),

    audit: (actor, action, detail) => write(() => operators.audit(actor, action, detail)),
    auditLog: (q) => operators.auditLog(q),

    applyPolicy: (kind, version, payload, actor) => {
      const r = policy.apply(kind, version, payload);
      if (r === 'applied') {
        operators.audit(actor ?? 'hub', 'policy-change', { kind, version });
        changed('policy');
      }
      return r;
    },
    applyHealth: (updates, opts) => {
      const r = write(() => {
        const applied = healthCodes.apply(updates, opts.version);
        if (applied.result === 'applied') operators.audit(opts.actor ?? 'hub', 'health-update', { version: applied.version, updated: applied.updated, unknown: applied.unknown.length });
        return applied;
      });
      if (r.result !== 'applied') return r;
      // The whole village's codes at once: re-read in the background (reading 22,000 rows one by one
      // took 0.5 s on a loaded machine); the gate decides with the codes it has until then.
      if (updates.length > TOUCH_ROWS_MAX) {
        roster.rebuildInBackground(() => {
          if (!closed) changed('roster');
        });
        return r;
      }
      roster.touch({ persons: updates.map((u) => u.personId) });
      changed('roster');
      return r;
    },
    policy: () => policy.current(),
    policyStates: () => policy.states(),

    insideState: () => passages.insideState(),
    recordCase: (ev, actor) => {
      write(() => {
        reports.recordCase(ev);
        operators.audit(actor, 'case-event', { kind: ev.kind, foundDay: ev.foundDay, leftDay: ev.leftDay });
      });
      changed('counts');
    },
    cases: () => reports.cases(),
    epidemicFreeDays: (day) => reports.epidemicFreeDays(day),
    dailyReport: (day) => reports.dailyReport(day),
    queueDailyReport: (day, actor = 'system', detail = {}) => {
      const r = write(() => {
        const report = reports.dailyReport(day);
        const seq = outbox.insert('report', { type: 'daily-report', ...report }, defaultPriority('report'));
        operators.audit(actor, 'daily-report', { ...detail, day: report.day, zeroReport: report.zeroReport, seq });
        return { seq, report };
      });
      changed('outbox');
      return r;
    },
    purge: (now) => {
      const r = purge(ctx, retentionDays, now);
      operators.audit('system', 'purge', { ...r });
      changed('counts');
      return r;
    },
    health: () => health(ctx, outbox.depth(), outboxCap, minFreeBytes, failure),
    checkLimits: () => {
      if (failure) {
        // An idle gate writes nothing: probe, so the episode ends (and the held alert is stored) once space is back.
        // 64 KiB, more than a passage's transaction writes: a few free bytes must not end the episode.
        try {
          write(() => db.prepare("INSERT INTO meta (key, value) VALUES ('write_probe', zeroblob(65536)) ON CONFLICT(key) DO UPDATE SET value = zeroblob(65536)").run());
        } catch {
          // Still failing: health() says so.
        }
      }
      const h = health(ctx, outbox.depth(), outboxCap, minFreeBytes, failure);
      limitAlert('disk-full', h);
      limitAlert('outbox-full', h);
      return h;
    },
    integrityCheck: () => (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('\n'),
    exportRows: (what, q) => {
      const full = q.full === true;
      if (full) {
        const op = q.operatorId ? operators.list().find((o) => o.id === q.operatorId) : undefined;
        if (op?.role !== 'admin' || !op.active) throw new Error('A full export (unmasked ID numbers and phones) needs an active admin operator: give --operator with an admin id');
      }
      const table = exportRows(ctx, what, q.from, q.to, full);
      write(() =>
        operators.audit(q.operatorId ?? 'cli', full ? 'export-full' : 'export', { what, from: q.from, to: q.to, rows: table.rows.length, ...(q.format ? { format: q.format } : {}) }),
      );
      return table;
    },
    reloadIfChanged: () => {
      // data_version changes only for commits of other connections.
      const v = db.pragma('data_version', { simple: true }) as number;
      if (v === dataVersion) return false;
      dataVersion = v;
      // Read a page at a time (a village's roster takes a few hundred ms to read in one go); the
      // gate decides with the view it has until then. The downlink worker's roster swap commits
      // through another connection too.
      roster.rebuildInBackground(() => {
        if (!closed) changed('roster');
      });
      policy.invalidate();
      outbox.recount();
      changed('policy');
      // A command may have queued an outbox row (`gate report`): the drain reads it now, not at the next passage.
      changed('outbox');
      return true;
    },
    setAutoCheckpoint: (frames) => {
      db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(frames))}`);
    },
    checkpoint: () => {
      const r = (db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>)[0];
      return { busy: (r?.busy ?? 0) !== 0, log: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 };
    },
    close: () => {
      if (closed) return;
      closed = true;
      try {
        if (options.path !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        // A full disk refuses the checkpoint; the WAL keeps every commit and the next open replays it.
        ctx.logger?.warn({ err }, 'WAL checkpoint at close failed; the WAL is kept');
      }
      db.close();
    },
  };
  return ledger;
}
