// The declaration page on its own fastify instance over the hub's storage, on both engines: the form,
// strict validation naming the field, the result with its QR codes (read back and verified as a gate
// does), reopening from the same phone, limits (a crowd behind one NAT gets through, one phone does
// not flood), no guessing, the audit of every view, the purge.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDeclaration } from '../../src/gate/credentials/declaration.js';
import { publicKeyToRaw } from '../../src/gate/credentials/token.js';
import type { DeclareConfig } from '../../src/hub/declare/config.js';
import { DeclarationsPublisher } from '../../src/hub/declare/publish.js';
import { RiskAreas } from '../../src/hub/declare/risk-areas.js';
import { declarePlugin, PAGE_DIR } from '../../src/hub/declare/server.js';
import { DeclarationStore, migrateDeclare } from '../../src/hub/declare/storage.js';
import type { OpenedDb } from '../../src/hub/storage/open.js';
import { decodeQrModules, qrModulesFromSvgPath } from '../helpers/qr.js';
import { A, B, declareConfig, goodForm, id, RISK } from './declare-support.js';
import { ENGINES, openFresh } from './support.js';

const keys = generateKeyPairSync('ed25519');
const SITE = 'demo-village';

describe.each(ENGINES)('the declaration page on %s', (engine) => {
  let opened: OpenedDb;
  let store: DeclarationStore;
  let app: FastifyInstance;
  let clock = Date.parse('2026-12-06T02:00:00Z');
  const created: string[] = [];
  const post = (body: unknown, ip = '10.0.0.1', headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: '/api/declarations', payload: body as object, remoteAddress: ip, headers });

  async function build(config: DeclareConfig): Promise<FastifyInstance> {
    const a = Fastify({ logger: false });
    await a.register(declarePlugin, { config, site: SITE, store, keys: { kid: 'hk1', privateKey: keys.privateKey, publicKeyRaw: publicKeyToRaw(keys.publicKey) }, now: () => clock, onCreated: (d) => created.push(d.id) });
    return a;
  }

  beforeAll(async () => {
    opened = await openFresh(engine);
    // SQLite: committed by the worker thread on its own connection, as the hub runs it.
    store = new DeclarationStore(await migrateDeclare(opened.db as never, opened.engine), opened.engine === 'sqlite' ? { file: opened.where } : {});
    app = await build(declareConfig());
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await opened?.close();
  });

  it('serves the form and what it needs: areas with the risk areas, outcomes, the consent text', async () => {
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.body).toContain('<script src="/declare.js">');
    expect(page.body).toMatch(/id="mine" class="banner info" hidden/);
    const f = (await app.inject({ url: '/api/form' })).json();
    expect(f.areas).toEqual(expect.arrayContaining(['杭州市西湖区', RISK]));
    expect(f.riskAreas).toEqual([RISK]);
    expect(f.outcomes.refuse.zh).toMatch(/不得进入/);
    expect(f.consent.zh).toMatch(/个人信息保护法.*24小时.*30天/);
  });

  it('takes a household from one phone; the result shows a QR code a gate verifies offline, each view audited', async () => {
    const r = await post(goodForm({ members: [{ name: '孙访客', idNumber: A, symptoms: [] }, { name: '孙小妹', idNumber: B.toLowerCase(), symptoms: ['cough'], testDate: '2026-12-05' }] }));
    expect(r.statusCode, r.body).toBe(201);
    const { id: did, url } = r.json();
    expect(did).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created).toContain(did);
    expect(String(r.headers['set-cookie'])).toMatch(new RegExp(`declared=${did}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax`));
    const page = await app.inject({ url, remoteAddress: '10.0.0.1' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('全家 2 人一码');
    expect(page.body).toContain('1101**********1233');
    expect(page.body).not.toContain(A);
    expect(page.body).toContain('139****5678');
    expect(page.body).toMatch(/data-testid="outcome"><span aria-hidden="true">!<\/span> 可以进入，须由专人陪同/);
    const firstPath = /<path transform="scale\(4\)" fill="#000" d="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const code = decodeQrModules(qrModulesFromSvgPath(firstPath));
    const v = verifyDeclaration(code, { keys: new Map([['hk1', keys.publicKey]]), site: SITE, now: clock });
    expect(v.ok && v.members.map((m) => [m.name, m.idTail])).toEqual([['孙访客', '1233'], ['孙小妹', '2342']]);
    const stored = await store.live(SITE, clock);
    expect(stored.find((d) => d.id === did)?.members[1]).toMatchObject({ idNumber: B, symptoms: ['咳嗽'], lastTestAt: Date.parse('2026-12-05T00:00:00Z'), phone: '13912345678', host: '3组12号 张家' });
    expect((await store.audit({ declaration: did })).map((a) => [a.action, a.client])).toEqual([['view', '10.0.0.1'], ['create', '10.0.0.1']]);
    // The same phone comes back: the form offers its code again, /mine leads to it.
    const cookie = `declared=${did}`;
    expect((await app.inject({ url: '/', headers: { cookie } })).body).toMatch(/id="mine" class="banner info">/);
    const mine = await app.inject({ url: '/mine', headers: { cookie } });
    expect([mine.statusCode, mine.headers.location]).toEqual([303, `/d/${did}`]);
  });

  it('names the field of every problem, in zh-CN and English', async () => {
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['check digit', goodForm({ members: [{ name: '甲', idNumber: `${A.slice(0, 17)}${A[17] === '0' ? '1' : '0'}`, symptoms: [] }] }), 'members.0.idNumber', /校验位/],
      ['birth date', goodForm({ members: [{ name: '甲', idNumber: id('11010119901332123'), symptoms: [] }] }), 'members.0.idNumber', /出生日期/],
      ['the same person twice', goodForm({ members: [{ name: '甲', idNumber: A, symptoms: [] }, { name: '乙', idNumber: A, symptoms: [] }] }), 'members.1.idNumber', /两次/],
      ['no name', goodForm({ members: [{ name: ' ', idNumber: A, symptoms: [] }] }), 'members.0.name', /姓名/],
      ['phone', goodForm({ phone: '12345' }), 'phone', /手机号/],
      ['where from', goodForm({ origin: '' }), 'origin', /从何处来/],
      ['whom they visit', goodForm({ host: '' }), 'host', /拜访/],
      ['consent', goodForm({ consent: false }), 'consent', /同意/],
      ['test in the future', goodForm({ members: [{ name: '甲', idNumber: A, symptoms: [], testDate: '2026-12-09' }] }), 'members.0.testDate', /晚于今天/],
      ['unknown symptom', goodForm({ members: [{ name: '甲', idNumber: A, symptoms: ['sneezing'] }] }), 'members.0.symptoms', /症状/],
      ['an extra field', goodForm({ address: 'x' }), 'form', /address/],
      ['a wrong type', goodForm({ members: 'all of us' }), 'members', /格式/],
      ['nine people', goodForm({ members: Array.from({ length: 9 }, () => ({ name: '甲', idNumber: A, symptoms: [] })) }), 'members', /格式/],
    ];
    for (const [name, body, field, zh] of cases) {
      const r = await post(body);
      expect(r.statusCode, name).toBe(400);
      const e = r.json().errors.find((x: { field: string }) => x.field === field);
      expect(e, `${name}: ${r.body}`).toBeDefined();
      expect(e.zh, name).toMatch(zh);
      expect(e.en.length, name).toBeGreaterThan(3);
    }
    const broken = await app.inject({ method: 'POST', url: '/api/declarations', payload: '{"kind":', headers: { 'content-type': 'application/json' } });
    expect(broken.json().errors[0].field).toBe('form');
    const huge = await post(goodForm({ purpose: 'x'.repeat(20_000) }));
    expect([huge.statusCode, huge.json().error]).toEqual([413, 'too-large']);
  });

  it('asks for a recent test when the policy does, and says honestly that an old one will not do', async () => {
    const strict = await build(declareConfig({ testMaxAgeDays: 7, vaccinationRequired: true }));
    const r = await strict.inject({ method: 'POST', url: '/api/declarations', payload: goodForm({ members: [{ name: '甲', idNumber: A, symptoms: [], testDate: '2026-11-20' }] }) });
    const fields = r.json().errors.map((e: { field: string; zh: string }) => [e.field, e.zh]);
    expect(fields).toEqual([['members.0.testDate', expect.stringMatching(/超过7天，卡口将不予通过/)], ['members.0.vaccinationDate', expect.stringMatching(/疫苗/)]]);
    await strict.close();
  });

  it('lets a queue behind one carrier NAT through, stops one phone flooding, and refuses guessing ids', async () => {
    const crowd = await build(declareConfig({ limits: { perAddressPerMinute: 120, perPhonePerHour: 6 } }));
    const send = (phone: string) => crowd.inject({ method: 'POST', url: '/api/declarations', payload: goodForm({ phone }), remoteAddress: '100.64.0.1' });
    const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => send(`139${String(10_000_000 + i)}`)).map((p) => p.then((r) => r.statusCode)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    const flood = [];
    for (let i = 0; i < 7; i++) flood.push((await crowd.inject({ method: 'POST', url: '/api/declarations', payload: goodForm({ phone: '13700000000' }), remoteAddress: `100.64.1.${i}` })).statusCode);
    expect(flood).toEqual([201, 201, 201, 201, 201, 201, 429]);
    const past = await Promise.all(Array.from({ length: 30 }, (_, i) => send(`136${String(10_000_000 + i)}`)));
    expect(past.filter((r) => r.statusCode === 429).length).toBe(30 - (120 - 100));
    expect(past.find((r) => r.statusCode === 429)?.headers['retry-after']).toMatch(/^\d+$/);
    clock += 60_000;
    expect((await send('13512345678')).statusCode).toBe(201);

    const guesses = [];
    for (let i = 0; i < 31; i++) guesses.push((await crowd.inject({ url: `/d/${'A'.repeat(21)}${String.fromCharCode(66 + (i % 20))}`, remoteAddress: '10.9.9.9' })).statusCode);
    expect(guesses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(guesses[30]).toBe(429);
    expect((await crowd.inject({ url: '/d/../../etc/passwd' })).statusCode).toBe(404);
    expect((await crowd.inject({ url: '/api/declarations' })).statusCode).toBe(404);
    await crowd.close();
  });

  it('sends the gates a snapshot of exactly the live declarations in the tables, kept up to date without re-reading them', async () => {
    const snapshot = () =>
      new Promise<{ version: number; declarations: unknown[] }>((resolve) => {
        const pub = new DeclarationsPublisher({
          site: SITE,
          topicRoot: 'checkpoint',
          liveJson: (t) => store.liveJson(SITE, t),
          publish: async (_topic, body) => {
            resolve(JSON.parse(body));
            await pub.stop();
          },
          logger: pino({ level: 'silent' }),
          now: () => clock,
        });
        pub.schedule(0);
      });
    const before = await snapshot();
    expect(before.declarations).toEqual(await store.live(SITE, clock));
    expect(before.declarations.length).toBeGreaterThan(0);
    const r = await post(goodForm({ phone: '13600000009' }), '10.0.0.9');
    expect(r.statusCode).toBe(201);
    const after = await snapshot();
    expect(after.declarations).toEqual(await store.live(SITE, clock));
    expect(after.declarations.map((d) => (d as { id: string }).id)).toContain(r.json().id);
    // Past their validity they leave the snapshot.
    clock += 25 * 3_600_000;
    expect((await snapshot()).declarations).toEqual([]);
    clock -= 25 * 3_600_000;
  });

  it('takes the risk areas from the newest list the office sent the site, the config\'s until then', async () => {
    let t = 0;
    const risk = new RiskAreas({ fromConfig: [RISK], read: () => store.sentRiskAreas(SITE), now: () => t, ttlMs: 1000 });
    expect(await risk.current()).toEqual({ areas: [RISK], source: 'config' });
    const row = (version: number, site: string, areas: string[]) => ({ id: `w-${site}-${version}`, site, kind: 'risk-areas', version, body: JSON.stringify({ site, version, areas }), summary: '{}', gates: '[]', sent_by: 'duty1', sent_at: version });
    await opened.db.insertInto('downlinks').values([row(2, SITE, ['甲地']), row(3, SITE, ['乙地', '丙地']), row(9, 'other-village', ['丁地'])]).execute();
    // Kept for ttlMs (the office's own sends refresh it at once).
    expect((await risk.current()).source).toBe('config');
    risk.refresh();
    expect(await risk.current()).toEqual({ areas: ['乙地', '丙地'], source: 'office', version: 3 });
    await opened.db.insertInto('downlinks').values(row(4, SITE, [])).execute();
    t += 1000;
    // An empty list sent is the office's word too: no risk areas now.
    expect(await risk.current()).toEqual({ areas: [], source: 'office', version: 4 });
  });

  it('purges declarations past their retention; the audit keeps no personal data', async () => {
    const r = await post(goodForm({ phone: '13600000001' }), '10.0.0.7');
    const did = r.json().id;
    expect(await store.purge(clock + 24 * 3_600_000 + 29 * 86_400_000, 30)).toBe(0);
    expect(await store.purge(clock + 24 * 3_600_000 + 31 * 86_400_000, 30)).toBeGreaterThan(0);
    expect((await app.inject({ url: `/d/${did}`, remoteAddress: '10.0.0.8' })).statusCode).toBe(404);
    expect(JSON.stringify(await store.audit({ limit: 1000 }))).not.toMatch(/孙访客|1399|13912345678/);
  });
});

describe('the declaration page on SQLite', () => {
  let opened: OpenedDb;
  let store: DeclarationStore;
  let app: FastifyInstance;
  const post = (body: unknown, ip: string) => app.inject({ method: 'POST', url: '/api/declarations', payload: body as object, remoteAddress: ip });

  beforeAll(async () => {
    opened = await openFresh('sqlite');
    store = new DeclarationStore(await migrateDeclare(opened.db as never, opened.engine), { file: opened.where });
    app = Fastify({ logger: false });
    await app.register(declarePlugin, { config: declareConfig(), site: SITE, store, keys: { kid: 'hk1', privateKey: keys.privateKey, publicKeyRaw: publicKeyToRaw(keys.publicKey) } });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await opened?.close();
  });

  it('commits in a worker thread: a sync held up by the disk does not hold up the page', async () => {
    // Another connection holds the write lock, as a slow disk sync would: the page still answers.
    const blocker = new Database(opened.where);
    blocker.pragma('busy_timeout = 5000');
    blocker.exec('BEGIN IMMEDIATE');
    let settled = false;
    const sent = post(goodForm({ phone: '13600000010' }), '10.0.0.10').finally(() => {
      settled = true;
    });
    // Were the commit on the event loop, it would wait here for the lock (five seconds), then fail.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    expect(settled).toBe(false);
    blocker.exec('COMMIT');
    blocker.close();
    const r = await sent;
    expect(r.statusCode).toBe(201);
    expect((await app.inject({ url: `/d/${r.json().id}`, remoteAddress: '10.0.0.10' })).statusCode).toBe(200);
  });

});

describe('the page\'s script', () => {
  it('is plain ES5 for old Android and in-app browsers: no arrow, template, let/const, class, spread, optional chaining', async () => {
    const { transformSync } = await import('esbuild');
    const src = readFileSync(join(PAGE_DIR, 'declare.js'), 'utf8');
    // Minified, strings and comments aside, what is left is the syntax the phone must parse.
    const code = transformSync(src, { minifyWhitespace: true, minifySyntax: false, target: 'esnext' }).code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
    for (const [what, re] of [['arrow', /=>/], ['template', /`/], ['let/const', /\b(let|const)\s/], ['class', /\bclass\s/], ['spread', /\.\.\./], ['optional chaining', /\?\./], ['nullish', /\?\?/]] as const) {
      expect(re.test(code), what).toBe(false);
    }
  });
});
