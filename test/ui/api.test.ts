// Every kiosk route through fastify inject over a real ledger and gate: auth, roles, validation, lockout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_DELAYS } from '../../src/ui/login-guard.js';
import { injectHarness, RISK_AREA, validId } from './harness.js';

type H = Awaited<ReturnType<typeof injectHarness>>;
let h: H;
let admin = '';
let volunteer = '';

const cookieOf = (res: { cookies: Array<{ name: string; value: string }> }) => {
  const c = res.cookies.find((x) => x.name === 'gate_session');
  if (!c) throw new Error('no session cookie set');
  return `gate_session=${c.value}`;
};
const call = (method: 'GET' | 'POST', url: string, cookie?: string, payload?: unknown) =>
  h.app.inject({ method, url, ...(cookie ? { headers: { cookie } } : {}), ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  h = await injectHarness();
});
afterAll(async () => {
  await h?.stop();
});

// Their own kiosk: these tests move its clock by minutes, past the idle lock of the sessions above.
describe('wrong-PIN delays', () => {
  let g: H;
  beforeAll(async () => {
    g = await injectHarness({ kiosk: { adminPin: '24681357' } });
  });
  afterAll(async () => {
    await g?.stop();
  });

  it('delays wrong PINs per operator and address: a stranger on the network cannot keep the kiosk screen out', async () => {
    const login = (pin: string, remoteAddress: string) => g.app.inject({ method: 'POST', url: '/api/login', remoteAddress, payload: { operatorId: 'admin', pin } });
    const stranger = '192.168.7.66';
    for (let i = 0; i < LOGIN_DELAYS.freeFailures; i++) expect((await login('999999', stranger)).json().code).toBe('BAD_PIN');
    const delayed = await login('999999', stranger);
    expect(delayed.statusCode).toBe(429);
    expect(delayed.json()).toMatchObject({ code: 'LOCKED_OUT', detail: { retryAfterSeconds: LOGIN_DELAYS.firstDelayMs / 1000 } });
    // While the delay runs, even the right PIN from that address is refused unchecked.
    expect((await login('24681357', stranger)).json().code).toBe('LOCKED_OUT');
    // The kiosk's own screen (loopback) is not held by it.
    expect((await login('24681357', '127.0.0.1')).statusCode).toBe(200);
    // The stranger's delay doubles with each wrong PIN after it ran out, up to the cap.
    let wait = 0;
    for (let i = 0; i < 12; i++) {
      g.advance(wait * 1000);
      wait = (await login('999999', stranger)).json().detail.retryAfterSeconds;
    }
    expect(wait).toBe(LOGIN_DELAYS.maxDelayMs / 1000);
    // Another address is delayed too now (the operator's count over all addresses), the screen is not.
    expect((await login('24681357', '192.168.7.67')).json().code).toBe('LOCKED_OUT');
    expect((await login('24681357', '127.0.0.1')).statusCode).toBe(200);
    expect(g.ledger.auditLog({ action: 'login-failed' }).length).toBeGreaterThanOrEqual(LOGIN_DELAYS.freeFailures + 12);
  });

  it('the kiosk screen itself waits at most a short delay after its own wrong PINs', async () => {
    let wait = 0;
    for (let i = 0; i < 15; i++) {
      g.advance(wait * 1000);
      const r = await g.app.inject({ method: 'POST', url: '/api/login', remoteAddress: '::1', payload: { operatorId: 'admin', pin: '000000' } });
      wait = r.json().detail?.retryAfterSeconds ?? 0;
    }
    expect(wait).toBe(LOGIN_DELAYS.kioskMaxDelayMs / 1000);
    g.advance(wait * 1000);
    expect((await g.app.inject({ method: 'POST', url: '/api/login', remoteAddress: '::1', payload: { operatorId: 'admin', pin: '24681357' } })).statusCode).toBe(200);
  });

});

describe('first run and login', () => {
  it('has no default password: status asks for setup and login is refused until then', async () => {
    const st = (await call('GET', '/api/status')).json();
    expect(st.setupNeeded).toBe(true);
    const r = await call('POST', '/api/login', undefined, { operatorId: 'admin', pin: '000000' });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'SETUP_NEEDED', zh: expect.any(String), en: expect.any(String) });
  });

  it('rejects a short admin PIN with a coded bilingual error', async () => {
    const r = await call('POST', '/api/setup', undefined, { name: '管理员', pin: '1234' });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('BAD_PIN_FORMAT');
  });

  it('creates the admin once, with an httpOnly SameSite=Strict session cookie', async () => {
    const r = await call('POST', '/api/setup', undefined, { name: '村书记', pin: '246810' });
    expect(r.statusCode).toBe(200);
    const set = String(r.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    admin = cookieOf(r);
    const again = await call('POST', '/api/setup', undefined, { name: 'x', pin: '13579135' });
    expect(again.json().code).toBe('SETUP_DONE');
    expect(h.ledger.operators().filter((o) => o.role === 'admin')).toHaveLength(1);
  });

  it('refuses protected routes without a session', async () => {
    for (const url of ['/api/live', '/api/visitors/inside', '/api/passages', '/api/households', '/api/export?what=passages']) {
      const r = await call('GET', url);
      expect(r.statusCode, url).toBe(401);
      expect(r.json().code).toBe('UNAUTHENTICATED');
    }
  });

  it('lets the admin add a volunteer, who can log in and is not an admin', async () => {
    const bad = await call('POST', '/api/operators', admin, { id: 'v01', name: '志愿者甲', role: 'volunteer', pin: '12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION');
    const short = await call('POST', '/api/operators', admin, { id: 'v01', name: '志愿者甲', role: 'volunteer', pin: '13579' });
    expect(short.json().code).toBe('VALIDATION');
    const ok = await call('POST', '/api/operators', admin, { id: 'v01', name: '志愿者甲', role: 'volunteer', pin: '135791' });
    expect(ok.statusCode).toBe(201);
    const dup = await call('POST', '/api/operators', admin, { id: 'v01', name: 'x', role: 'volunteer', pin: '135791' });
    expect(dup.json().code).toBe('OPERATOR_EXISTS');
    const pub = (await call('GET', '/api/operators/public')).json();
    expect(pub.map((o: { id: string }) => o.id).sort()).toEqual(['admin', 'v01']);
    const login = await call('POST', '/api/login', undefined, { operatorId: 'v01', pin: '135791' });
    expect(login.statusCode).toBe(200);
    volunteer = cookieOf(login);
    expect((await call('GET', '/api/settings', volunteer)).json().code).toBe('FORBIDDEN');
    expect((await call('GET', '/api/audit', volunteer)).statusCode).toBe(403);
    expect((await call('POST', '/api/settings/zone-level', volunteer, { level: 'sealed' })).statusCode).toBe(403);
    expect((await call('POST', '/api/cards', volunteer, { type: 'household', householdId: 'hh-001' })).statusCode).toBe(403);
    expect((await call('GET', '/api/export?what=passages&full=true', volunteer)).json().code).toBe('FORBIDDEN');
  });

  it('rate-limits login attempts per address, and audits the attempts refused unchecked as one row per episode', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 25; i++) codes.push((await call('POST', '/api/login', undefined, { operatorId: `nobody${i}`, pin: '111111' })).json().code);
    expect(codes).toContain('RATE_LIMITED');
    const g = await injectHarness({ kiosk: { adminPin: '24681357' } });
    try {
      const ip = '10.1.2.3';
      const got: string[] = [];
      for (let i = 0; i < 40; i++) got.push((await g.app.inject({ method: 'POST', url: '/api/login', remoteAddress: ip, payload: { operatorId: 'admin', pin: '000000' } })).json().code);
      expect(got.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20);
      expect(g.ledger.auditLog({ action: 'login-throttled' })).toEqual([]); // the episode is still open
      await g.app.close();
      const checked = g.ledger.auditLog({ action: 'login-failed' }).length;
      const rows = g.ledger.auditLog({ action: 'login-throttled' });
      expect(rows).toHaveLength(1);
      expect(rows[0]?.detail).toMatchObject({ ip, attempts: 40 - checked, rateLimited: 20, delayed: 20 - checked, operators: ['admin'] });
    } finally {
      await g.stop();
    }
  });

  it('logout ends the session', async () => {
    const r = await call('POST', '/api/setup', undefined, { name: 'x', pin: '123456' });
    expect(r.statusCode).toBe(409);
    const st = (await call('GET', '/api/status', admin)).json();
    expect(st.session).toMatchObject({ operatorId: 'admin', role: 'admin' });
    const out = await call('POST', '/api/logout', volunteer);
    expect(out.statusCode).toBe(200);
    expect((await call('GET', '/api/live', volunteer)).json().code).toBe('UNAUTHENTICATED');
  });

  it('refuses a state change from a foreign Origin', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/duty/sign-in', headers: { cookie: admin, origin: 'http://evil.example' } });
    expect(r.statusCode).toBe(403);
    const garbled = await h.app.inject({ method: 'POST', url: '/api/duty/sign-in', headers: { cookie: admin, origin: '::not a url::' } });
    expect(garbled.json().code).toBe('FORBIDDEN');
  });
});

describe('live gate and operator inputs', () => {
  it('gives a snapshot with lanes, counts, devices and the zone level', async () => {
    const r = await call('GET', '/api/live', admin);
    expect(r.statusCode).toBe(200);
    const live = r.json();
    expect(live.lanes[0]).toMatchObject({ id: 'main', stage: 'idle' });
    expect(live.counts).toMatchObject({ entries: 0, refusals: 0 });
    expect(live.zoneLevel).toBe('normal');
  });

  it('duty sign-in and sign-out are recorded', async () => {
    expect((await call('POST', '/api/duty/sign-in', admin)).statusCode).toBe(200);
    expect((await call('GET', '/api/duty', admin)).json()).toEqual([expect.objectContaining({ operatorId: 'admin' })]);
    expect((await call('POST', '/api/duty/sign-out', admin)).statusCode).toBe(200);
    expect((await call('POST', '/api/duty/sign-out', admin)).json().code).toBe('NOT_FOUND');
    expect(h.ledger.duty()).toHaveLength(1);
  });

  it('takes a scan, temperature, mask and colour and decides the passage with masked names', async () => {
    const lane = '/api/lanes/main';
    expect((await call('POST', `${lane}/scan`, admin, { text: h.tokens['hh-001'] })).statusCode).toBe(200);
    expect((await call('POST', `${lane}/temperature`, admin, { celsius: 36.5 })).statusCode).toBe(200);
    expect((await call('POST', `${lane}/mask`, admin, { worn: true })).statusCode).toBe(200);
    expect((await call('POST', `${lane}/colour`, admin, { colour: 'green' })).statusCode).toBe(200);
    const rows = (await call('GET', '/api/passages', admin)).json();
    expect(rows[0]).toMatchObject({ outcome: 'admitted', colour: 'green', mask: true });
    expect(JSON.stringify(rows)).not.toContain('张桂兰');
  });

  it('validates inputs with coded errors', async () => {
    expect((await call('POST', '/api/lanes/main/temperature', admin, { celsius: 50 })).json().code).toBe('BAD_TEMPERATURE');
    expect((await call('POST', '/api/lanes/main/colour', admin, { colour: 'blue' })).json()).toMatchObject({ code: 'VALIDATION', zh: expect.stringContaining('输入有误') });
    expect((await call('POST', '/api/lanes/nope/remeasure', admin)).json().code).toBe('UNKNOWN_LANE');
    expect((await call('POST', '/api/lanes/main/override', admin, { decision: 'admit', reason: ' ' })).json().code).toBe('OVERRIDE_REASON');
    expect((await call('POST', '/api/lanes/main/direction', admin, { direction: 'up' })).statusCode).toBe(400);
    expect((await call('POST', '/api/lanes/main/direction', admin, { direction: 'out' })).statusCode).toBe(200);
    expect((await call('POST', '/api/lanes/main/direction', admin, { direction: 'in' })).statusCode).toBe(200);
    expect((await call('GET', '/api/nothing-here', admin)).json().code).toBe('NOT_FOUND');
  });

  it('re-measures a fever, refuses it, raises an alert that can be acknowledged once', async () => {
    const lane = '/api/lanes/main';
    await call('POST', `${lane}/scan`, admin, { text: h.tokens['hh-002'] });
    await call('POST', `${lane}/temperature`, admin, { celsius: 38.2 });
    expect((await call('GET', '/api/live', admin)).json().lanes[0].stage).toBe('awaiting-remeasure');
    await call('POST', `${lane}/remeasure`, admin);
    await call('POST', `${lane}/temperature`, admin, { celsius: 38.4 });
    const refused = (await call('GET', '/api/passages?outcome=refused', admin)).json();
    expect(refused[0].reasons.map((r: { code: string }) => r.code)).toContain('temp.fever');
    const alerts = (await call('GET', '/api/alerts?unacknowledged=true', admin)).json();
    const fever = alerts.find((a: { kind: string }) => a.kind === 'fever');
    expect(fever).toBeTruthy();
    expect((await call('POST', `/api/alerts/${fever.id}/ack`, admin)).statusCode).toBe(200);
    expect((await call('POST', `/api/alerts/${fever.id}/ack`, admin)).json().code).toBe('NOT_FOUND');
  });

  it('overrides the refusal with a reason, audited with the operator', async () => {
    const r = await call('POST', '/api/lanes/main/override', admin, { decision: 'admit', reason: '手持体温枪复测正常' });
    expect(r.statusCode).toBe(200);
    const p = (await call('GET', '/api/passages?outcome=overridden', admin)).json();
    expect(p[0]).toMatchObject({ outcome: 'overridden', operatorId: 'admin', overrideReason: '手持体温枪复测正常' });
    expect(h.ledger.auditLog({ action: 'override' })[0]).toMatchObject({ actor: 'admin' });
  });

  it('records a courier and a cancel', async () => {
    expect((await call('POST', '/api/lanes/main/courier', admin, {})).statusCode).toBe(200);
    expect((await call('POST', '/api/lanes/main/cancel', admin)).statusCode).toBe(200);
    expect((await call('GET', '/api/passages', admin)).json()[0].reasons[0].code).toBe('courier.no-entry');
  });

  it('gives passages and alerts time-ordered ids (UUIDv7), so the ledger index on them grows at one end', () => {
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids = h.ledger
      .passages({ limit: 1000 })
      .reverse()
      .map((r) => r.passage.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect(ids.every((id) => v7.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    const alerts = h.ledger.alerts();
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => v7.test(a.alert.id))).toBe(true);
  });
});

describe('visitors', () => {
  let id = '';
  it('gives the form the hub risk-area list', async () => {
    expect((await call('GET', '/api/visitors/form', admin)).json().riskAreas).toContain(RISK_AREA);
  });
  it('rejects a bad ID number and a missing escort with the field named', async () => {
    const bad = await call('POST', '/api/visitors', admin, { name: '孙访客', idNumber: '110101199003071234', travel: [], escort: '李建国' });
    expect(bad.json()).toMatchObject({ code: 'BAD_ID_NUMBER', detail: { field: 'idNumber' } });
    const noEscort = await call('POST', '/api/visitors', admin, { name: '孙访客', travel: [] });
    expect(noEscort.json().detail.field).toBe('escort');
    expect((await call('POST', '/api/visitors', admin, { travel: [] })).json().code).toBe('VALIDATION');
  });
  it('registers a visitor, masks them, warns about a risk area, prints a slip with a QR code', async () => {
    const r = await call('POST', '/api/visitors', admin, { name: '孙访客', idNumber: validId('11010119900307123'), phone: '13912345678', travel: [RISK_AREA], escort: '李建国', hostHouseholdId: 'hh-001', plate: 'zj a1234' });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    id = body.visitor.id;
    expect(body.visitor.name).toBe('孙*客');
    expect(body.visitor.idNumber).toMatch(/^1101\*+\d{3}[\dX]$/);
    expect(body.visitor.phone).toBe('139****5678');
    expect(body.slip).toBe(`VIS:${id}`);
    expect(body.warnings[0].code).toBe('risk-area');
    const inside = (await call('GET', '/api/visitors/inside', admin)).json();
    expect(inside.map((v: { id: string }) => v.id)).toContain(id);
    const slip = await call('GET', `/print/visitor/${id}`, admin);
    expect(slip.headers['content-type']).toMatch(/text\/html/);
    expect(slip.body).toContain('<svg');
    expect(slip.body).not.toContain('孙访客');
  });
  it('signs the visitor out once', async () => {
    expect((await call('POST', `/api/visitors/${id}/sign-out`, admin)).statusCode).toBe(200);
    expect((await call('POST', `/api/visitors/${id}/sign-out`, admin)).json().code).toBe('ALREADY_SIGNED_OUT');
    expect((await call('POST', '/api/visitors/nobody/sign-out', admin)).json().code).toBe('NOT_FOUND');
    expect((await call('GET', '/api/visitors', admin)).json()[0].signedOutAt).toBeGreaterThan(0);
  });
});

describe('overdue visitors', () => {
  it('highlights a visitor inside longer than kiosk.visitorOverdueMinutes', async () => {
    const r = await call('POST', '/api/visitors', admin, { name: '周访客', travel: [], escort: '李建国' });
    expect(r.json()).toMatchObject({ visitor: expect.any(Object) });
    const id = r.json().visitor.id;
    const inside = () => call('GET', '/api/visitors/inside', admin).then((x) => x.json().find((v: { id: string }) => v.id === id));
    expect((await inside()).overdue).toBe(false);
    h.advance((h.config.kiosk.visitorOverdueMinutes + 1) * 60_000);
    // Hours later the idle session is locked too: the PIN again.
    expect((await call('GET', '/api/visitors/inside', admin)).json().code).toBe('SESSION_LOCKED');
    // (from another address: this one used up its login budget in the rate-limit test)
    admin = cookieOf(await h.app.inject({ method: 'POST', url: '/api/login', remoteAddress: '127.0.0.2', payload: { operatorId: 'admin', pin: '246810' } }));
    expect((await inside()).overdue).toBe(true);
    await call('POST', `/api/visitors/${id}/sign-out`, admin);
    h.advance(-(h.config.kiosk.visitorOverdueMinutes + 1) * 60_000);
  });
});

describe('residents and cards', () => {
  let cardId = '';
  it('searches households and shows one household masked', async () => {
    expect((await call('GET', '/api/households?text=1号楼', admin)).json()).toHaveLength(2);
    expect((await call('GET', `/api/households?text=${encodeURIComponent('桂兰')}`, admin)).json().map((x: { id: string }) => x.id)).toEqual(['hh-001']);
    const hh = (await call('GET', '/api/households/hh-001', admin)).json();
    expect(hh.persons.map((p: { name: string }) => p.name).sort()).toEqual(['张*兰', '李*国']);
    expect(JSON.stringify(hh)).not.toContain('13800001111');
    expect((await call('GET', '/api/households/none', admin)).json().code).toBe('NOT_FOUND');
    expect((await call('GET', '/api/persons?text=王', admin)).json()[0].name).toBe('王*英');
  });
  it('issues a signed household card that the gate accepts, prints it, revokes it', async () => {
    const r = await call('POST', '/api/cards', admin, { type: 'household', householdId: 'hh-002' });
    expect(r.statusCode).toBe(201);
    cardId = r.json().card.id;
    const token: string = r.json().token;
    expect(token.startsWith('GP1.')).toBe(true);
    expect(token.length).toBeLessThanOrEqual(300);
    expect((await call('POST', '/api/cards', admin, { type: 'person' })).json().code).toBe('VALIDATION');
    const sheet = await call('GET', '/print/cards?household=hh-002', admin);
    expect(sheet.body).toContain(cardId);
    expect((sheet.body.match(/<svg/g) ?? []).length).toBe(2);
    expect((await call('POST', `/api/cards/${cardId}/revoke`, admin, { reason: '遗失' })).statusCode).toBe(200);
    expect((await call('POST', `/api/cards/${cardId}/revoke`, admin, { reason: '遗失' })).json().code).toBe('NOT_FOUND');
  });
  it('imports a roster file (admin) and reports problems by row', async () => {
    const csv = Buffer.from('\uFEFF户号,地址,姓名,身份证号\nhh-009,9号楼1室,周九,\nhh-010,9号楼2室,,\n', 'utf8');
    const r = await h.app.inject({ method: 'POST', url: '/api/roster/import?filename=r.csv&partial=true', headers: { cookie: admin, 'content-type': 'text/csv' }, payload: csv });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ imported: true });
    expect(r.json().problems.length).toBeGreaterThan(0);
    const empty = await h.app.inject({ method: 'POST', url: '/api/roster/import?filename=r.csv', headers: { cookie: admin, 'content-type': 'application/octet-stream' }, payload: Buffer.alloc(0) });
    expect(empty.json().code).toBe('IMPORT_FAILED');
  });
});

describe('ledgers and export', () => {
  it('exports masked CSV by default and audits it', async () => {
    const r = await call('GET', '/api/export?what=visitors&format=csv', admin);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toMatch(/attachment; filename=".*visitors.*\.csv"/);
    expect(r.body).toContain('孙*客');
    expect(r.body).not.toContain('孙访客');
    expect(h.ledger.auditLog({ action: 'export' })[0]).toMatchObject({ actor: 'admin' });
  });
  it('gives an admin the full export, audited as export-full', async () => {
    const r = await call('GET', '/api/export?what=visitors&format=csv&full=true', admin);
    expect(r.body).toContain('孙访客');
    expect(h.ledger.auditLog({ action: 'export-full' }).length).toBe(1);
  });
  it("gives the kiosk the village's zone and day, and searches a day from the village's midnight to the next", async () => {
    const st = (await call('GET', '/api/status', admin)).json() as { timeZone: string; today: string };
    expect(st.timeZone).toBe(h.config.site.timezone);
    const villageDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: st.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
    expect(st.today).toBe(villageDay(h.ctx.clock.now()));
    const all = h.ledger.passages({ limit: 1000 });
    const days = [...new Set(all.map((r) => villageDay(r.passage.decidedAt)))];
    expect(days.length).toBeGreaterThan(0);
    for (const day of days) {
      const ids = ((await call('GET', `/api/passages?day=${day}&limit=1000`, admin)).json() as Array<{ id: string }>).map((p) => p.id).sort();
      expect(ids).toEqual(all.filter((r) => villageDay(r.passage.decidedAt) === day).map((r) => r.passage.id).sort());
    }
    const visitors = (await call('GET', `/api/visitors?day=${villageDay(h.ledger.visitors({ limit: 1 })[0]?.registeredAt as number)}`, admin)).json() as unknown[];
    expect(visitors.length).toBeGreaterThan(0);
    expect((await call('GET', '/api/passages?day=2026-13-01', admin)).json().code).toBe('VALIDATION');
  });
  it('validates export parameters', async () => {
    expect((await call('GET', '/api/export?what=secrets', admin)).json().code).toBe('VALIDATION');
    expect((await call('GET', '/api/export?what=passages&from=2026-11-20&to=2026-11-01', admin)).json().code).toBe('VALIDATION');
  });
});

describe('settings (admin)', () => {
  it('changes the zone level and thresholds, audited', async () => {
    expect((await call('POST', '/api/settings/zone-level', admin, { level: 'controlled' })).json().zoneLevel).toBe('controlled');
    expect((await call('POST', '/api/settings/zone-level', admin, { level: 'lockdown' })).statusCode).toBe(400);
    expect((await call('POST', '/api/settings/thresholds', admin, { feverThreshold: 37.5 })).json().result).toBe('applied');
    expect((await call('POST', '/api/settings/thresholds', admin, { feverThreshold: 45 })).statusCode).toBe(400);
    const s = (await call('GET', '/api/settings', admin)).json();
    expect(s.zoneLevel).toBe('controlled');
    expect(s.policies.find((p: { kind: string }) => p.kind === 'thresholds').payload.feverThreshold).toBe(37.5);
    expect(h.ledger.auditLog({ action: 'policy-change' }).filter((e) => e.actor === 'admin')).toHaveLength(2);
  });
  it('calibrates a thermometer and refuses an unknown device', async () => {
    expect((await call('POST', '/api/settings/calibration/thermo-1', admin, { offset: 0.4 })).json().offset).toBe(0.4);
    expect((await call('POST', '/api/settings/calibration/nope', admin, { offset: 0.4 })).json().code).toBe('NO_DEVICES');
  });
  it('lists operators, changes a PIN, deactivates a volunteer and ends their sessions', async () => {
    expect((await call('GET', '/api/operators', admin)).json()).toHaveLength(2);
    expect((await call('POST', '/api/operators/v01/pin', admin, { pin: '4321' })).json().code).toBe('VALIDATION');
    expect((await call('POST', '/api/operators/v01/pin', admin, { pin: '432109' })).statusCode).toBe(200);
    expect((await call('POST', '/api/operators/admin/active', admin, { active: false })).json().code).toBe('VALIDATION');
    expect((await call('POST', '/api/operators/v01/active', admin, { active: false })).statusCode).toBe(200);
    expect((await call('GET', '/api/audit?limit=5', admin)).json().length).toBe(5);
  });
});

describe('static page and fonts', () => {
  it('serves the page with a strict CSP and the shipped CJK font, nothing from a CDN', async () => {
    const page = await call('GET', '/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('/vendor/noto-sans-sc/400.css');
    expect(page.body).not.toMatch(/https?:\/\//);
    const css = await call('GET', '/vendor/noto-sans-sc/400.css');
    expect(css.body).toContain("font-family: 'Noto Sans SC'");
    const file = css.body.match(/url\(\.\/(files\/[^)]+\.woff2)\)/)?.[1];
    const font = await call('GET', `/vendor/noto-sans-sc/${file}`);
    expect(font.statusCode).toBe(200);
    expect(font.rawPayload.subarray(0, 4).toString('latin1')).toBe('wOF2');
    expect((await call('GET', '/vendor/noto-sans-sc/package.json')).statusCode).toBe(404);
    expect((await call('GET', '/vendor/zxing/index.min.js')).statusCode).toBe(200);
    expect((await call('GET', '/assets/kiosk.js')).statusCode).toBe(200);
  });
});

describe('bad input', () => {
  it('answers malformed JSON, oversized bodies and wrong types with a coded error, and keeps serving', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/api/lanes/main/temperature', headers: { cookie: admin, 'content-type': 'application/json' }, payload: '{"celsius": 36.' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'BAD_REQUEST', zh: expect.any(String), en: expect.any(String) });
    const huge = await h.app.inject({ method: 'POST', url: '/api/visitors', headers: { cookie: admin, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(400_000), travel: [] }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('BAD_REQUEST');
    const wrongType = await call('POST', '/api/lanes/main/temperature', admin, { celsius: 'hot' });
    expect(wrongType.json()).toMatchObject({ code: 'VALIDATION', detail: { field: 'celsius' } });
    const extra = await call('POST', '/api/lanes/main/mask', admin, { worn: true, sneaky: 1 });
    expect(extra.json().code).toBe('VALIDATION');
    expect((await call('GET', '/api/live', admin)).statusCode).toBe(200);
  });
});

describe('admin PIN from config', () => {
  it('creates the admin from kiosk.adminPin, so the first-run screen never shows', async () => {
    const other = await injectHarness({ kiosk: { port: 0, adminPin: '13572468' } });
    try {
      expect((await other.app.inject({ method: 'GET', url: '/api/status' })).json().setupNeeded).toBe(false);
      const r = await other.app.inject({ method: 'POST', url: '/api/login', payload: { operatorId: 'admin', pin: '13572468' } });
      expect(r.statusCode).toBe(200);
      expect(r.json().role).toBe('admin');
      expect((await other.app.inject({ method: 'POST', url: '/api/setup', payload: { name: 'x', pin: '99999999' } })).json().code).toBe('SETUP_DONE');
    } finally {
      await other.stop();
    }
  });
});

describe('answers and the lock (issue 19)', () => {
  const login = async (addr: string) => cookieOf(await h.app.inject({ method: 'POST', url: '/api/login', remoteAddress: addr, payload: { operatorId: 'admin', pin: '246810' } }));

  it('says why the gate did not take an input, instead of answering as if it had', async () => {
    const me = await login('127.0.0.4');
    const green = (await call('POST', '/api/lanes/main/colour', me, { colour: 'green' })).json();
    expect(green).toMatchObject({ accepted: false, ignored: { input: 'colour', zh: expect.stringContaining('没有人在核验') } });
    // Someone at the gate: a normal day, a resident coming in (one of the two is outside after the tests above).
    await call('POST', '/api/settings/zone-level', me, { level: 'normal' });
    for (const hh of ['hh-001', 'hh-002']) {
      await call('POST', '/api/lanes/main/direction', me, { direction: 'in' });
      expect((await call('POST', '/api/lanes/main/scan', me, { text: h.tokens[hh] as string })).json()).toEqual({ accepted: true });
      if ((await call('GET', '/api/live', me)).json().lanes[0].stage !== 'idle') break;
    }
    expect((await call('GET', '/api/live', me)).json().lanes[0].stage).not.toBe('idle');
    const second = (await call('POST', '/api/lanes/main/scan', me, { text: 'GP1.someone-else.x' })).json();
    expect(second).toMatchObject({ accepted: false, ignored: { input: 'scan', zh: expect.stringContaining('上一位还在核验'), en: expect.any(String) } });
    expect((await call('POST', '/api/lanes/main/cancel', me)).json()).toEqual({ accepted: true });
  });

  it('locks a session for actions only: the live view stays readable', async () => {
    const me = await login('127.0.0.5');
    expect((await call('POST', '/api/lock', me)).json()).toEqual({ locked: true });
    expect((await call('GET', '/api/status', me)).json()).toMatchObject({ session: null, locked: { operatorId: 'admin' } });
    expect((await call('GET', '/api/live', me)).statusCode).toBe(200);
    const input = await call('POST', '/api/lanes/main/colour', me, { colour: 'green' });
    expect(input.statusCode).toBe(401);
    expect(input.json().code).toBe('SESSION_LOCKED');
    expect((await call('GET', '/api/visitors/inside', me)).json().code).toBe('SESSION_LOCKED');
  });

  it('says how many tries a wrong PIN leaves', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/login', remoteAddress: '127.0.0.6', payload: { operatorId: 'admin', pin: '999999' } });
    expect(r.json()).toMatchObject({ code: 'BAD_PIN', zh: expect.stringContaining(`还可再试${LOGIN_DELAYS.freeFailures - 1}次`), detail: { triesLeft: LOGIN_DELAYS.freeFailures - 1 } });
    await login('127.0.0.6');
  });
});

describe('Chinese by pinyin for the kiosk keyboard', () => {
  it('gives the characters of a syllable, common ones first, and nothing for what is not pinyin', async () => {
    const me = cookieOf(await h.app.inject({ method: 'POST', url: '/api/login', remoteAddress: '127.0.0.7', payload: { operatorId: 'admin', pin: '246810' } }));
    const ask = async (q: string) => (await call('GET', `/api/pinyin?q=${encodeURIComponent(q)}`, me)).json().candidates as string[];
    expect((await ask('wang')).slice(0, 8)).toContain('王');
    expect((await ask('jian')).slice(0, 8)).toContain('建');
    expect(await ask('lv')).toContain('绿');
    expect(await ask('王')).toEqual([]);
    expect((await call('GET', '/api/pinyin?q=wang')).statusCode).toBe(401);
  });
});
