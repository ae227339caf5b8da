// Health declarations at the kiosk, through fastify inject over a real ledger and gate: a scanned code
// prefilled (from the downlink, or from the signed code alone), admitted once with an escort and a
// slip, linked to the declaration in what goes up; refused codes say why.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeclarationClaims, issueDeclaration, issueDeclarationCodes, newDeclarationId } from '../../src/gate/credentials/declaration.js';
import type { DeclarationRecord } from '../../src/store/declarations.js';
import { decodeQrModules, qrModulesFromSvgPath } from '../helpers/qr.js';
import { injectHarness, RISK_AREA, validId } from './harness.js';

type H = Awaited<ReturnType<typeof injectHarness>>;
let h: H;
let cookie = '';
const HOUR = 3_600_000;
const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { cookie }, ...(payload !== undefined ? { payload: payload as object } : {}) });

const visitor = validId('11010119900307123');
const sister = validId('11010119920512234');
const resident = validId('33010619850704011'); // p-002 on the harness roster

function declaration(kind: 'visit' | 'return', members: DeclarationRecord['members']): { record: DeclarationRecord; claims: Omit<DeclarationClaims, 'x'> } {
  const now = Date.now() + h.clock.offset;
  const id = newDeclarationId();
  const record: DeclarationRecord = { id, kind, issuedAt: now, expiresAt: now + 24 * HOUR, members };
  const claims = { d: id, k: kind === 'visit' ? ('v' as const) : ('r' as const), site: h.config.site.id, kid: h.keys.own.kid, iat: Math.floor(now / 1000), exp: Math.floor(record.expiresAt / 1000), m: members.map((m): [string, string] => [m.name, m.idNumber.slice(-4)]) };
  return { record, claims };
}

const family = () =>
  declaration('visit', [
    { name: '孙访客', idNumber: visitor, phone: '13912345678', origin: '杭州市西湖区', travel: [], host: 'hh-001', purpose: '探亲', symptoms: [], vaccinated: true },
    { name: '孙小妹', idNumber: sister, origin: '杭州市西湖区', travel: [RISK_AREA], host: 'hh-001', symptoms: ['咳嗽'] },
  ]);

beforeAll(async () => {
  h = await injectHarness();
  const r = await h.app.inject({ method: 'POST', url: '/api/setup', payload: { name: '村书记', pin: '246810' } });
  cookie = `gate_session=${r.cookies.find((c) => c.name === 'gate_session')?.value}`;
});
afterAll(async () => {
  await h?.stop();
});

describe('a declaration that came down from the hub', () => {
  it('is prefilled in full (masked), each member with the outcome the gate gives, and admitted once with an escort', async () => {
    const { record, claims } = family();
    expect(h.ledger.declarations.apply([record], h.ledger.declarations.version() + 1)).toBe('applied');
    const codes = issueDeclarationCodes(claims, h.keys.own.privateKey);
    const scan = await call('POST', '/api/declarations/scan', { text: codes.household });
    expect(scan.statusCode).toBe(200);
    const view = scan.json();
    expect(view.declaration).toMatchObject({ id: record.id, kind: 'visit', source: 'downlink' });
    expect(view.members[0]).toMatchObject({ index: 0, used: false, name: '孙*客', idTail: '1233', idNumberMasked: '1101**********1233', phoneMasked: '139****5678', origin: '杭州市西湖区', host: 'hh-001', purpose: '探亲', outcome: 'escort', vaccinated: true });
    expect(view.members[1]).toMatchObject({ outcome: 'refuse', risky: [RISK_AREA], symptoms: ['咳嗽'] });
    expect(JSON.stringify(view)).not.toContain(visitor);
    expect(JSON.stringify(view)).not.toContain('13912345678');

    expect((await call('POST', '/api/declarations/members/1/admit', { code: codes.household, escort: '李建国' })).json().code).toBe('RISK_AREA');
    const noEscort = (await call('POST', '/api/declarations/members/0/admit', { code: codes.household })).json();
    expect(noEscort).toMatchObject({ code: 'VALIDATION', detail: { field: 'escort' } });

    const admitted = await call('POST', '/api/declarations/members/0/admit', { code: codes.household, escort: '李建国' });
    expect(admitted.statusCode).toBe(201);
    const { visitor: v, slip } = admitted.json();
    expect(slip).toBe(`${h.config.rules.visitorSlipPrefix}${v.id}`);
    const stored = h.ledger.visitors({ text: v.id })[0];
    expect(stored).toMatchObject({ name: '孙访客', idNumberMasked: '1101**********1233', origin: '杭州市西湖区', hostHouseholdId: 'hh-001', reason: '探亲', escort: '李建国', vaccinated: true });
    // What goes up links the visitor to the declaration, with no personal data.
    const up = h.ledger.outboxBatch(1000).filter((r) => r.kind === 'state').map((r) => r.payload.data ?? r.payload);
    expect(JSON.stringify(up)).toContain(`"visitorId":"${v.id}"`);
    expect(JSON.stringify(up)).toContain(`"declaration":"${record.id}"`);

    expect((await call('POST', '/api/declarations/members/0/admit', { code: codes.household, escort: '李建国' })).json().code).toBe('DECLARATION_USED');
    expect((await call('POST', '/api/declarations/scan', { text: codes.persons[0] })).json()).toMatchObject({ code: 'DECLARATION_REFUSED', detail: { reason: 'used' } });
    // The household code still shows the other member, the first marked used.
    expect((await call('POST', '/api/declarations/scan', { text: codes.household })).json().members.map((m: { used: boolean }) => m.used)).toEqual([true, false]);
  });

  it('a returning resident\'s 报备 is matched to the roster and confirmed for the returnee loop', async () => {
    const { record, claims } = declaration('return', [{ name: '李建国', idNumber: resident, origin: RISK_AREA, travel: [], symptoms: [] }]);
    h.ledger.declarations.apply([record], h.ledger.declarations.version() + 1);
    const code = issueDeclaration({ ...claims }, h.keys.own.privateKey);
    const view = (await call('POST', '/api/declarations/scan', { text: code })).json();
    expect(view.declaration.kind).toBe('return');
    expect(view.members[0]).toMatchObject({ personId: 'p-002', outcome: 'quarantine', risky: [RISK_AREA] });
    const r = (await call('POST', '/api/declarations/members/0/admit', { code })).json();
    expect(r).toMatchObject({ reported: true, outcome: 'quarantine', personId: 'p-002', tier: { kind: 'central' } });
    // The returnee loop took it at once: from a risk area, the policy puts the person in central quarantine.
    expect(h.ledger.person('p-002')?.quarantine?.kind).toBe('central');
    expect(JSON.stringify(h.ledger.outboxBatch(1000).map((x) => x.payload))).toContain('quarantine.declared-return');
    expect(h.ledger.auditLog({ action: 'declaration-return' })).toHaveLength(1);
  });
});

describe('a declaration known only by its signed code (no downlink yet)', () => {
  it('prefills name and ID tail; a typed ID number must end in the tail', async () => {
    const { claims } = declaration('visit', [{ name: '周路人', idNumber: visitor, origin: '-', travel: [], symptoms: [] }]);
    const code = issueDeclaration(claims, h.keys.own.privateKey);
    const view = (await call('POST', '/api/declarations/scan', { text: code })).json();
    expect(view.declaration.source).toBe('code');
    expect(view.members).toEqual([expect.objectContaining({ name: '周*人', idTail: '1233', outcome: 'escort' })]);
    expect(view.members[0].idNumberMasked).toBeUndefined();
    const wrong = (await call('POST', '/api/declarations/members/0/admit', { code, escort: '王', idNumber: sister })).json();
    expect(wrong).toMatchObject({ code: 'BAD_ID_NUMBER', detail: { field: 'idNumber' } });
    const ok = await call('POST', '/api/declarations/members/0/admit', { code, escort: '王', idNumber: visitor });
    expect(ok.statusCode).toBe(201);
    expect(h.ledger.visitors({ text: ok.json().visitor.id })[0]).toMatchObject({ name: '周路人', idNumberMasked: '1101**********1233' });
  });
});

describe('refused codes say why', () => {
  it.each([
    ['tampered', (c: string) => `${c.slice(0, -6)}${c.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`, 'bad-signature'],
    ['unknown key', () => issueDeclaration({ ...declaration('visit', [{ name: '甲', idNumber: visitor, origin: '-', travel: [], symptoms: [] }]).claims, kid: 'hX' }, generateKeyPairSync('ed25519').privateKey), 'unknown-key'],
    ['another village', () => issueDeclaration({ ...declaration('visit', [{ name: '甲', idNumber: visitor, origin: '-', travel: [], symptoms: [] }]).claims, site: 'other' }, h.keys.own.privateKey), 'wrong-site'],
    ['not a code', () => 'GD1.garbage', 'malformed'],
  ])('%s', async (_name, make, reason) => {
    const good = issueDeclaration(declaration('visit', [{ name: '甲', idNumber: visitor, origin: '-', travel: [], symptoms: [] }]).claims, h.keys.own.privateKey);
    const r = await call('POST', '/api/declarations/scan', { text: make(good) });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ code: 'DECLARATION_REFUSED', detail: { reason }, zh: expect.stringContaining('申报'), en: expect.stringContaining('eclaration') });
  });

  it('expired after its hours', async () => {
    const code = issueDeclaration(declaration('visit', [{ name: '甲', idNumber: visitor, origin: '-', travel: [], symptoms: [] }]).claims, h.keys.own.privateKey);
    h.advance(25 * HOUR);
    const login = await h.app.inject({ method: 'POST', url: '/api/login', payload: { operatorId: 'admin', pin: '246810' } });
    expect(login.statusCode, login.body).toBe(200);
    cookie = `gate_session=${login.cookies.find((c) => c.name === 'gate_session')?.value}`;
    expect((await call('POST', '/api/declarations/scan', { text: code })).json().detail.reason).toBe('expired');
    expect((await call('POST', '/api/declarations/members/0/admit', { code, escort: '王' })).json().detail.reason).toBe('expired');
  });
});

describe('the lane\'s scanner', () => {
  it('hands a declaration code to the kiosk instead of deciding a passage', async () => {
    const seen: string[] = [];
    const off = h.ctx.bus.on('declaration.scanned', (e) => seen.push(e.text));
    const before = h.ledger.passages().length;
    const code = issueDeclaration(declaration('visit', [{ name: '甲', idNumber: visitor, origin: '-', travel: [], symptoms: [] }]).claims, h.keys.own.privateKey);
    h.runtime.input({ type: 'scan', lane: h.config.lanes[0]?.id ?? 'main', text: `${code}\r` });
    off();
    expect(seen).toEqual([code]);
    expect(h.ledger.passages().length).toBe(before);
  });
});

describe('retention', () => {
  it('purges expired declarations and their uses with the ledger\'s retention (30 days here)', async () => {
    const { record, claims } = family();
    h.ledger.declarations.apply([record], h.ledger.declarations.version() + 1);
    const code = issueDeclaration(claims, h.keys.own.privateKey);
    expect((await call('POST', '/api/declarations/members/0/admit', { code, escort: '李建国' })).statusCode).toBe(201);
    const now = Date.now() + h.clock.offset;
    h.ledger.purge(now + 29 * 24 * HOUR);
    expect(h.ledger.declarations.get(record.id)).toBeDefined();
    expect(h.ledger.declarations.uses(record.id)).toHaveLength(1);
    h.ledger.purge(now + 32 * 24 * HOUR);
    expect(h.ledger.declarations.get(record.id)).toBeUndefined();
    expect(h.ledger.declarations.uses(record.id)).toEqual([]);
  });
});

describe('the poster that leads to the declaration page', () => {
  it('prints the QR code of the hub\'s page when it is configured, and says what to set when not', async () => {
    expect((await call('GET', '/print/declare')).json()).toMatchObject({ code: 'NOT_FOUND', en: expect.stringContaining('kiosk.declarePageUrl') });
    const other = await injectHarness({ kiosk: { port: 0, declarePageUrl: 'https://declare.village.example/' } });
    try {
      const setup = await other.app.inject({ method: 'POST', url: '/api/setup', payload: { name: '村书记', pin: '246810' } });
      const c = `gate_session=${setup.cookies.find((x) => x.name === 'gate_session')?.value}`;
      const poster = await other.app.inject({ url: '/print/declare', headers: { cookie: c } });
      expect(poster.statusCode).toBe(200);
      expect(poster.body).toContain('一部手机可以为同住家人一起填报');
      const d = /<path transform="scale\(8\)" fill="#000" d="([^"]+)"/.exec(poster.body)?.[1] ?? '';
      expect(decodeQrModules(qrModulesFromSvgPath(d))).toBe('https://declare.village.example/');
    } finally {
      await other.stop();
    }
  });
});
