// The practice through the kiosk API (issue 18): the volunteer's taps for a vaccination record and a
// negative test seen on the phone, and the visitor form's test and vaccination fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../src/store/time.js';
import { addDays } from '../../src/store/time.js';
import { injectHarness, RISK_AREA } from './harness.js';

type H = Awaited<ReturnType<typeof injectHarness>>;
let h: H;
let cookie = '';
const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { cookie }, ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  h = await injectHarness({ rules: { vaccinationRequired: true, nucleicTestMaxAgeHours: 48 } });
  const r = await h.app.inject({ method: 'POST', url: '/api/setup', payload: { name: '村书记', pin: '246810' } });
  cookie = `gate_session=${r.cookies.find((c) => c.name === 'gate_session')?.value}`;
});
afterAll(async () => {
  await h?.stop();
});

const walk = async (scan: string) => {
  for (const [path, body] of [
    ['scan', { text: scan }],
    ['temperature', { celsius: 36.5 }],
    ['mask', { worn: true }],
    ['colour', { colour: 'green' }],
  ] as const) {
    expect((await call('POST', `/api/lanes/main/${path}`, body)).statusCode).toBe(200);
  }
};
const stage = async () => (await call('GET', '/api/live')).json().lanes[0].stage as string;
const last = () => h.ledger.passages({ limit: 1 })[0]?.passage;

describe('已核验疫苗 / 核酸阴性: the volunteer taps what the phone shows', () => {
  it('a household card (no record of its own) waits for the taps, then is admitted', async () => {
    await walk(h.tokens['hh-001'] as string);
    expect(await stage()).toBe('awaiting-verification');
    expect(last()).toBeUndefined();
    const today = localDay(Date.now(), h.config.site.timezone);
    expect((await call('POST', '/api/lanes/main/verified', { check: 'test', ok: true, testDay: today })).statusCode).toBe(200);
    expect(await stage()).toBe('awaiting-verification');
    expect((await call('POST', '/api/lanes/main/verified', { check: 'vaccine', ok: true })).statusCode).toBe(200);
    expect(last()).toMatchObject({ outcome: 'admitted', subject: { id: 'hh-001' } });
  });

  it('a tap of 未出示 refuses with the reason; a test day in the future or malformed is a clear error', async () => {
    await walk(h.tokens['hh-002'] as string);
    const bad = await call('POST', '/api/lanes/main/verified', { check: 'test', ok: true, testDay: '2999-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', zh: expect.stringContaining('检测日期') });
    expect((await call('POST', '/api/lanes/main/verified', { check: 'test', ok: true, testDay: '23/11/2026' })).statusCode).toBe(400);
    await call('POST', '/api/lanes/main/verified', { check: 'vaccine', ok: false });
    expect(last()).toMatchObject({ outcome: 'refused', subject: { id: 'hh-002' } });
    expect(last()?.reasons.map((r) => r.code)).toEqual(['vaccine.missing']);
  });
});

describe('the visitor form records the test and the vaccination', () => {
  it('a visitor registered with both is admitted without a tap', async () => {
    const today = localDay(Date.now(), h.config.site.timezone);
    const r = await call('POST', '/api/visitors', { name: '何来客', travel: [], hostHouseholdId: 'hh-001', escort: '张桂兰', lastTestDay: today, vaccinated: true });
    expect(r.statusCode).toBe(201);
    const { slip, visitor } = r.json();
    expect(h.ledger.rosterView().visitor(visitor.id)).toMatchObject({ vaccinated: true, lastTestAt: expect.any(Number) });
    await walk(slip);
    expect(last()).toMatchObject({ outcome: 'admitted', subject: { id: visitor.id } });
  });
});

describe('fever: held, not sent away', () => {
  it('tells the person to wait for staff, and the volunteer fills in the fever card by API', async () => {
    await call('POST', '/api/lanes/main/direction', { direction: 'in' }); // hh-001 came in above: this is another entry
    await call('POST', '/api/lanes/main/scan', { text: h.tokens['hh-001'] as string });
    await call('POST', '/api/lanes/main/temperature', { celsius: 38.4 });
    await call('POST', '/api/lanes/main/temperature', { celsius: 38.6 });
    const p = last();
    expect(p).toMatchObject({ outcome: 'refused', flags: ['fever-hold'] });
    expect(p?.reasons[0]).toMatchObject({ code: 'temp.fever', zh: expect.stringContaining('请在此等候，工作人员马上就到'), en: expect.stringContaining('please wait here, staff are coming') });
    expect(p?.alerts[0]?.text.zh).toMatch(/严禁其自行离开/);
    const open = (await call('GET', '/api/fever')).json();
    expect(open.map((c: { passageId: string }) => c.passageId)).toEqual([p?.id]);
    expect(open[0].passage.id).toBe(p?.id);
    const r = await call('POST', `/api/fever/${p?.id}`, { called: '村医', handedTo: '镇卫生院', outcome: 'collected' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ called: '村医', handedTo: '镇卫生院', outcome: 'collected', updatedBy: 'admin' });
    expect((await call('GET', '/api/fever')).json()).toEqual([]);
    expect((await call('POST', `/api/fever/${p?.id}`, { outcome: 'went-home' })).statusCode).toBe(400);
    expect((await call('POST', '/api/fever/nope', { called: 'x' })).statusCode).toBe(404);
  });
});

describe('the returnee loop at the village', () => {
  it('报备 applies the policy at once; the admin changes and releases with the sign-off', async () => {
    const today = localDay(Date.now(), h.config.site.timezone);
    const r = await call('POST', '/api/persons/p-002/report', { from: RISK_AREA, arrivedDay: today, testDay: addDays(today, -2), greenCode: true });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ fromRiskArea: true, tier: { kind: 'home' }, text: { zh: expect.stringContaining('居家隔离医学观察') } });
    expect(h.ledger.person('p-002')?.quarantine?.kind).toBe('home');
    const change = await call('POST', '/api/persons/p-002/quarantine', { kind: 'home', lastDay: addDays(today, 20) });
    expect(change.json()).toMatchObject({ cause: 'admin', next: { kind: 'home' } });
    const unsigned = await call('POST', '/api/persons/p-002/release', { signedBy: ['王医生'], testDays: [today, today] });
    expect(unsigned.statusCode).toBe(400);
    expect(unsigned.json().en).toMatch(/different days/);
    const released = await call('POST', '/api/persons/p-002/release', { signedBy: ['王医生', '李书记'], testDays: [addDays(today, -6), today] });
    expect(released.json()).toMatchObject({ cause: 'release', next: null });
    expect(h.ledger.person('p-002')?.quarantine).toBeUndefined();
    expect(h.ledger.auditLog({ action: 'quarantine-change' })).toHaveLength(3);
    expect((await call('POST', '/api/persons/nobody/report', { from: '杭州', arrivedDay: today })).statusCode).toBe(404);
  });
});

describe('一户一卡 with a quarantined member', () => {
  it('lists the members (masked, age, tier) and applies the rules to the one picked', async () => {
    const today = localDay(Date.now(), h.config.site.timezone);
    await call('POST', '/api/persons/p-001/quarantine', { kind: 'home', lastDay: addDays(today, 10) });
    await call('POST', '/api/lanes/main/direction', { direction: 'out' });
    await call('POST', '/api/lanes/main/scan', { text: h.tokens['hh-001'] as string });
    expect(await stage()).toBe('awaiting-member');
    const members = (await call('GET', '/api/lanes/main/members')).json();
    expect(members).toEqual([
      { personId: 'p-001', name: '张*兰', age: expect.any(Number), tier: 'home' },
      { personId: 'p-002', name: '李*国', age: expect.any(Number), tier: null },
    ]);
    expect(members[0].age).toBeGreaterThan(60);
    await call('POST', '/api/lanes/main/member', { personId: 'p-002' });
    expect(last()).toMatchObject({ outcome: 'admitted', direction: 'out', subject: { id: 'hh-001', personId: 'p-002' } });
    expect((await call('GET', '/api/lanes/main/members')).statusCode).toBe(404);
  });
});

describe('the admin sets the risk areas, the authorised list and the closing hours at the kiosk', () => {
  it('applies them at once, marked local, under the hub version in force', async () => {
    const r = await call('POST', '/api/settings/risk-areas', { areas: [RISK_AREA, '某县'] });
    expect(r.json()).toMatchObject({ kind: 'risk-areas', version: 1, source: 'local' });
    expect(h.ledger.policy().riskAreas).toEqual([RISK_AREA, '某县']);
    expect((await call('POST', '/api/settings/authorised', { cards: ['md-1'] })).json()).toMatchObject({ source: 'local' });
    const hours = await call('POST', '/api/settings/hours', { outsiderHours: [{ from: '06:00', to: '21:00' }] });
    expect(hours.statusCode, hours.body).toBe(200);
    expect((await call('POST', '/api/settings/hours', { outsiderHours: [{ from: '6:00', to: '21:00' }] })).statusCode).toBe(400);
    expect(h.ledger.policyStates().find((p) => p.kind === 'hours')?.payload).toEqual({ outsiderHours: [{ from: '06:00', to: '21:00' }] });
  });
});
