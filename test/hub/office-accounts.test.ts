// The office's accounts on both engines: the first admin's one-time password, scrypt hashes, cookie
// sessions, CSRF, roles, login limits that cannot lock the real user out, reset-admin, the audit log.
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES } from './support.js';
import { alertRecord, officeOn, signIn } from './office-support.js';

describe.each(ENGINES)('office accounts on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  const start = async (o: Parameters<typeof officeOn>[1] = {}) => {
    const off = await officeOn(engine, o);
    closers.push(off.close);
    return off;
  };

  it('makes the first admin once with a one-time password, kept only as an scrypt hash; reset-admin replaces it and ends its sessions', async () => {
    const off = await start();
    expect(off.adminPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(await off.accounts.ensureAdmin()).toBeUndefined();
    const row = await off.db.selectFrom('office_users').select('password').where('name', '=', 'admin').executeTakeFirstOrThrow();
    expect(row.password).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password).not.toContain(off.adminPassword);
    const admin = await signIn(off.app, 'admin', off.adminPassword);
    expect((await admin.get('/office/api/me')).json()).toMatchObject({ user: { name: 'admin', role: 'admin' } });
    const fresh = await off.accounts.resetAdmin();
    expect(fresh).not.toBe(off.adminPassword);
    expect((await admin.get('/office/api/me')).statusCode).toBe(401);
    await expect(signIn(off.app, 'admin', off.adminPassword)).rejects.toThrow(/401/);
    await signIn(off.app, 'admin', fresh);
    expect((await off.accounts.auditLog()).map((e) => e.action)).toContain('account.reset-admin');
  });

  it('sets the session cookie HttpOnly and SameSite=Strict, Secure behind TLS', async () => {
    const off = await start();
    const plain = await signIn(off.app, 'admin', off.adminPassword);
    const c = plain.response.cookies.find((x) => x.name === 'hub_session');
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(c?.secure).toBeFalsy();
    const tls = await off.app.inject({ method: 'POST', url: '/office/api/login', payload: { name: 'admin', password: off.adminPassword }, headers: { 'x-forwarded-proto': 'https' } });
    expect(tls.cookies.find((x) => x.name === 'hub_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
  });

  it('refuses a state change without the session\'s CSRF token or from a foreign origin, and one the role may not make', async () => {
    const off = await start();
    await off.writer.write({ records: [alertRecord(1)], states: [], rejects: [] });
    const pw = await off.user('viewer1', 'viewer');
    const viewer = await signIn(off.app, 'viewer1', pw);
    const duty = await signIn(off.app, 'duty1', await off.user('duty1', 'duty'));
    const url = '/office/api/alerts/v1/g1/1/1/ack';
    expect((await duty.post(url, { note: 'x' }, {})).json()).toMatchObject({ code: 'CSRF' });
    expect((await duty.post(url, { note: 'x' }, { 'x-csrf-token': viewer.csrf })).statusCode).toBe(403);
    expect((await duty.post(url, { note: 'x' }, { 'x-csrf-token': duty.csrf, origin: 'http://evil.example' })).json()).toMatchObject({ code: 'FOREIGN_ORIGIN' });
    expect((await viewer.post(url, { note: 'x' })).json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await off.app.inject({ method: 'GET', url: '/office/api/alerts' })).statusCode).toBe(401);
    const ok = await duty.post(url, { note: '已通知村医' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ result: 'acked', alert: { ackedBy: 'duty1', note: '已通知村医' } });
    const [entry] = await off.accounts.auditLog(10, 'alert.ack');
    expect(entry).toMatchObject({ user: 'duty1', action: 'alert.ack', target: 'v1/g1/1/1', detail: { note: '已通知村医' } });
  });

  it('limits guesses per account without locking the real user out of the browser they signed in from', async () => {
    const off = await start({ limits: { perAddress: 8, perAccount: 3, windowMs: 60_000 } });
    const pw = await off.user('duty1', 'duty');
    const mine = await signIn(off.app, 'duty1', pw, { ip: '10.0.0.5' });
    const guess = (ip: string, name = 'duty1', device?: string) =>
      off.app.inject({ method: 'POST', url: '/office/api/login', payload: { name, password: 'wrong-guess' }, remoteAddress: ip, ...(device ? { cookies: { hub_device: device } } : {}) });
    for (let i = 0; i < 3; i++) expect((await guess(`10.9.9.${i}`)).statusCode).toBe(401);
    // A stranger from a new address, even with the right password, now waits…
    const stranger = await off.app.inject({ method: 'POST', url: '/office/api/login', payload: { name: 'duty1', password: pw }, remoteAddress: '10.9.9.77' });
    expect(stranger.statusCode).toBe(429);
    // …the officer's own browser does not.
    await signIn(off.app, 'duty1', pw, { ip: '10.0.0.5', device: mine.device });
    // A device cookie of another account is no pass.
    const adm = await signIn(off.app, 'admin', off.adminPassword, { ip: '10.0.0.6' });
    expect((await off.app.inject({ method: 'POST', url: '/office/api/login', payload: { name: 'duty1', password: pw }, remoteAddress: '10.0.0.6', cookies: { hub_device: adm.device } })).statusCode).toBe(429);
    // One address guessing at many accounts is stopped by its own limit; other addresses are not.
    for (let i = 0; i < 8; i++) await guess('10.7.7.7', `nobody${i}`);
    expect((await guess('10.7.7.7', 'someone-else')).statusCode).toBe(429);
    await signIn(off.app, 'admin', off.adminPassword, { ip: '10.0.0.8' });
    expect((await off.accounts.auditLog(50, 'login.failed')).length).toBeGreaterThanOrEqual(11);
  });

  it('ends an idle session', async () => {
    let now = 1_800_000_000_000;
    const off = await start({ now: () => now });
    const admin = await signIn(off.app, 'admin', off.adminPassword);
    now += 59 * 60_000;
    expect((await admin.get('/office/api/me')).statusCode).toBe(200);
    now += 61 * 60_000;
    expect((await admin.get('/office/api/me')).statusCode).toBe(401);
  });
});
