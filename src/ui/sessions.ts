// Kiosk sessions: an opaque random token in an httpOnly SameSite=Strict cookie, kept in memory
// (a restart signs everyone out, which is what a power cut at the gate should do). A session idle
// for kiosk.idleLockSeconds is locked: the next request must come with the PIN again.
import { randomBytes } from 'node:crypto';
import type { OperatorRole } from '../store/api.js';

export interface Session {
  token: string;
  operatorId: string;
  name: string;
  role: OperatorRole;
  createdAt: number;
  lastSeen: number;
}

export type SessionLookup = { state: 'ok'; session: Session } | { state: 'locked'; session: Session } | { state: 'none' };

export class Sessions {
  private readonly byToken = new Map<string, Session>();
  constructor(
    private readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  create(op: { id: string; name: string; role: OperatorRole }): Session {
    const t = this.now();
    const s: Session = { token: randomBytes(32).toString('base64url'), operatorId: op.id, name: op.name, role: op.role, createdAt: t, lastSeen: t };
    this.byToken.set(s.token, s);
    return s;
  }

  /** `touch` = this request counts as activity (the live event stream does not). */
  lookup(token: string | undefined, touch: boolean): SessionLookup {
    const s = token ? this.byToken.get(token) : undefined;
    if (!s) return { state: 'none' };
    if (this.now() - s.lastSeen > this.idleMs) return { state: 'locked', session: s };
    if (touch) s.lastSeen = this.now();
    return { state: 'ok', session: s };
  }

  destroy(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.byToken.get(token);
    this.byToken.delete(token);
    return s;
  }

  /** Sessions of an operator who was deactivated or changed role. */
  destroyOperator(operatorId: string): void {
    for (const [t, s] of this.byToken) if (s.operatorId === operatorId) this.byToken.delete(t);
  }

  /** Drop sessions locked for a long time, so the map does not grow. */
  sweep(): void {
    const cutoff = this.now() - this.idleMs * 4;
    for (const [t, s] of this.byToken) if (s.lastSeen < cutoff) this.byToken.delete(t);
  }
}
