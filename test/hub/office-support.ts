// Shared by the office's tests: a hub database of either engine with the office on a Fastify server,
// records written as the ingest writes them, and a signed-in client over inject.
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { RecordMsg } from '../../src/hub/classify.js';
import { Accounts, type Role } from '../../src/hub/office/accounts.js';
import { AlertDesk } from '../../src/hub/office/alerts.js';
import { chartRoutes } from '../../src/hub/office/chart.js';
import { ledgerRoutes, reportRoutes } from '../../src/hub/office/ledger-routes.js';
import { moreLedgerRoutes } from '../../src/hub/office/ledgers.js';
import { LiveFeed } from '../../src/hub/office/live.js';
import { type GuardLimits, LoginGuard } from '../../src/hub/office/login-guard.js';
import { registerOffice } from '../../src/hub/office/routes.js';
import { HubReader } from '../../src/hub/storage/read.js';
import { HubWriter } from '../../src/hub/storage/write.js';
import { type EngineName, openFresh, passage } from './support.js';

export async function officeOn(engine: EngineName, o: { limits?: GuardLimits; now?: () => number } = {}) {
  const opened = await openFresh(engine);
  const accounts = new Accounts(opened.db, { idleMs: 60 * 60_000, ...(o.now ? { now: o.now } : {}) });
  const adminPassword = (await accounts.ensureAdmin()) as string;
  const live = new LiveFeed(10);
  const app: FastifyInstance = Fastify({ logger: false });
  await registerOffice(app, {
    accounts,
    desk: new AlertDesk(opened.db),
    reader: new HubReader(opened.db),
    live,
    guard: new LoginGuard(await accounts.deviceKey(), o.limits),
    today: () => '2026-12-06',
    now: o.now ?? (() => Date.now()),
    logger: pino({ level: 'silent' }),
    timeZone: 'Asia/Shanghai',
    extra: [ledgerRoutes(new HubReader(opened.db)), moreLedgerRoutes(new HubReader(opened.db), o.now), reportRoutes(opened.db, () => '2026-12-06'), chartRoutes(opened.db, o.now ?? (() => Date.now()))],
  });
  await app.ready();
  const writer = new HubWriter(opened.db, opened.engine, { batchRows: 2000, rejectsMax: 100 });
  return {
    ...opened,
    app,
    accounts,
    adminPassword,
    live,
    writer,
    async close() {
      live.close();
      await app.close();
      await opened.close();
    },
    async user(name: string, role: Role, password = `${name}-password-1`) {
      await accounts.create({ name, display: name, role, password });
      return password;
    },
  };
}

export function alertRecord(seq: number, o: { gate?: string; severity?: string; kind?: string; at?: number } = {}): RecordMsg {
  const data = { type: 'alert', id: `a-${o.gate ?? 'g1'}-${seq}`, kind: o.kind ?? 'fever', severity: o.severity ?? 'critical', lane: 'lane-1', text: { zh: '体温异常 38.2℃', en: 'Fever 38.2 °C' }, at: o.at ?? 1_700_000_000_000 + seq };
  return { ...passage(seq, { gate: o.gate ?? 'g1' }), table: 'alerts', data, dataJson: JSON.stringify(data) };
}

/** A signed-in browser: its cookies and CSRF token, sent with every request. */
export async function signIn(app: FastifyInstance, name: string, password: string, o: { ip?: string; device?: string } = {}) {
  const r = await app.inject({ method: 'POST', url: '/office/api/login', payload: { name, password }, remoteAddress: o.ip ?? '127.0.0.1', ...(o.device ? { cookies: { hub_device: o.device } } : {}) });
  if (r.statusCode !== 200) throw new Error(`sign-in of ${name}: ${r.statusCode} ${r.body}`);
  const session = r.cookies.find((c) => c.name === 'hub_session')?.value as string;
  const device = r.cookies.find((c) => c.name === 'hub_device')?.value as string;
  const { csrf } = r.json() as { csrf: string };
  return {
    csrf,
    device,
    response: r,
    get: (url: string) => app.inject({ method: 'GET', url, cookies: { hub_session: session } }),
    post: (url: string, payload: unknown, headers: Record<string, string> = { 'x-csrf-token': csrf }) => app.inject({ method: 'POST', url, payload: payload as object, cookies: { hub_session: session }, headers }),
  };
}
