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
  /** Locked by the lock button (an idle session is locked by time alone). */
  locked?: boolean;
  /** Last time its live view (the event stream) was still open: a locked kiosk keeps watching the gate. */
  lastViewed?: number;
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
    if (s.locked || this.now() - s.lastSeen > this.idleMs) return { state: 'locked', session: s };
    if (touch) s.lastSeen = this.now();
    return { state: 'ok', session: s };
  }

  /**
   * The live view asks whether it may go on: any session that exists may watch (locked or not), and
   * watching keeps it from being swept, so a kiosk locked all night still shows the gate. It never
   * unlocks anything: actions go by lastSeen.
   */
  viewing(token: string | undefined): SessionLookup['state'] {
    const found = this.lookup(token, false);
    if (found.state !== 'none') found.session.lastViewed = this.now();
    return found.state;
  }

  /** The lock button: actions need the PIN again; the screen keeps showing the gate (read-only). */
  lock(token: string | undefined): Session | undefined {
    const s = token ? this.byToken.get(token) : undefined;
    if (s) s.locked = true;
    return s;
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

  /** Drop sessions locked for a long time and watched by no screen, so the map does not grow. */
  sweep(): void {
    const cutoff = this.now() - this.idleMs * 4;
    for (const [t, s] of this.byToken) if (Math.max(s.lastSeen, s.lastViewed ?? 0) < cutoff) this.byToken.delete(t);
  }
}
