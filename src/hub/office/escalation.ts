// Escalation: a critical alert nobody acknowledged within office.escalateAfterMinutes is escalated
// once: marked on the alert (the screens show it), written to the audit log and the hub's log as an
// event, and posted to the optional webhook (JSON, 5 s timeout; a failing webhook is logged, never
// retried into a storm, and never stops the hub).
import type { Logger } from 'pino';
import type { Accounts } from './accounts.js';
import { type AlertDesk, alertRef, type FeedAlert } from './alerts.js';

export interface EscalationOptions {
  desk: AlertDesk;
  accounts: Accounts;
  afterMs: number;
  webhook?: string | undefined;
  everyMs?: number;
  logger: Logger;
  changed: () => void;
  now?: () => number;
  fetchImpl?: typeof fetch;
}

export class Escalator {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: EscalationOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.look(), this.o.everyMs ?? 15_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look: escalates what is due; returns what it escalated. */
  async look(): Promise<FeedAlert[]> {
    if (this.running) return [];
    this.running = true;
    try {
      const now = (this.o.now ?? Date.now)();
      const due = await this.o.desk.dueForEscalation(now - this.o.afterMs);
      for (const a of due) {
        await this.o.desk.markEscalated(a, now);
        const minutes = Math.round(this.o.afterMs / 60_000);
        await this.o.accounts.audit({ user: 'system', action: 'alert.escalate', target: alertRef(a), detail: { kind: a.kind, afterMinutes: minutes } });
        this.o.logger.warn({ event: 'alert.escalated', alert: alertRef(a), kind: a.kind, afterMinutes: minutes }, 'critical alert not acknowledged: escalated');
        if (this.o.webhook) await this.post(a, minutes);
      }
      if (due.length) this.o.changed();
      return due;
    } catch (err) {
      this.o.logger.error({ err }, 'office: escalation look failed');
      return [];
    } finally {
      this.running = false;
    }
  }

  private async post(a: FeedAlert, minutes: number): Promise<void> {
    const body = { event: 'alert.escalated', site: a.site, gate: a.gate, alert: alertRef(a), kind: a.kind, severity: a.severity, at: a.at, lane: a.lane, text: a.data.text ?? null, afterMinutes: minutes };
    try {
      const r = await (this.o.fetchImpl ?? fetch)(this.o.webhook as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
      if (!r.ok) this.o.logger.error({ status: r.status, alert: alertRef(a) }, 'escalation webhook answered with an error');
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, alert: alertRef(a) }, 'escalation webhook unreachable');
    }
  }
}
