// What every route module of the kiosk gets: the dependencies, sessions, the login guard, the live
// hub, and the role check used as a preHandler.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeviceSettingsApi, GateRuntimeApi } from '../runtime/runtime-api.js';
import type { GateKeySet } from '../cards/gate-setup.js';
import type { Ledger, OperatorRole } from '../store/api.js';
import { dayRange, isDay } from '../store/time.js';
import { fail } from './errors.js';
import type { KioskAppContext } from './events.js';
import type { LiveHub } from './live.js';
import type { RefusedLoginAudit } from './login-audit.js';
import type { LoginGuard } from './login-guard.js';
import type { Session, Sessions } from './sessions.js';

export const SESSION_COOKIE = 'gate_session';

export interface KioskDeps {
  ctx: KioskAppContext;
  runtime: GateRuntimeApi;
  ledger: Ledger;
  /** Thermometer calibration; absent when the gate runs without devices. */
  devices?: DeviceSettingsApi;
  /** The gate's signing key (its own kid) and the keys it trusts: pass cards are signed with `keys.own`. */
  keys: GateKeySet;
  /** MQTT link state; default runtime.sync(). */
  sync?: GateRuntimeApi['sync'];
}

export interface KioskState {
  deps: KioskDeps;
  sessions: Sessions;
  guard: LoginGuard;
  /** Login attempts refused before the PIN was checked, one audit row per episode. */
  refusedLogins: RefusedLoginAudit;
  hub: LiveHub;
  now: () => number;
}

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
  }
}

/**
 * preHandler: a live (unlocked) session with at least `role`. The event stream passes touch=false.
 * `readOnly`: a locked session passes too (the lock stops actions, not the view of the gate: a
 * locked kiosk keeps showing verdicts, prompts and alerts).
 */
export function requireRole(state: KioskState, role: OperatorRole, touch = true, readOnly = false) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const found = state.sessions.lookup(req.cookies[SESSION_COOKIE], touch);
    if (found.state === 'none') fail('UNAUTHENTICATED');
    if (found.state === 'locked' && !readOnly) fail('SESSION_LOCKED', { detail: { operatorId: found.session.operatorId } });
    if (found.state === 'locked') {
      req.session = found.session;
      return;
    }
    if (found.state !== 'ok') return;
    if (role === 'admin' && found.session.role !== 'admin') fail('FORBIDDEN');
    req.session = found.session;
  };
}

export function operatorOf(req: FastifyRequest): Session {
  if (!req.session) return fail('UNAUTHENTICATED');
  return req.session;
}

/** `?day=YYYY-MM-DD` as the village's midnight to the next (site.timezone), or a coded error. */
export function villageDayRange(day: string | undefined, timeZone: string): { from?: number; to?: number } {
  if (day !== undefined && !isDay(day)) fail('VALIDATION', { zh: `日期无效：${day}`, en: `not a calendar day: ${day}`, detail: { field: 'day' } });
  return dayRange(day, timeZone);
}
