import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CardClaims, issueToken, publicKeyFrom, publicKeyToRaw, TOKEN_FAILURE_TEXT, type TokenFailure, verifyToken } from '../../src/gate/credentials/token.js';

const gate = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const NOW = Date.parse('2026-11-23T10:00:00+08:00');
const iat = Math.floor(NOW / 1000) - 3600;
const base: CardClaims = { t: 'household', id: 'hh-001', hh: 'hh-001', site: 'demo-village', kid: 'g1', iat };
const keys = new Map([['g1', gate.publicKey]]);
const verify = (token: string, revoked: string[] = []) => verifyToken(token, { keys, site: 'demo-village', now: NOW, revoked });
const good = issueToken(base, gate.privateKey);
const [prefix, payload, sig] = good.split('.') as [string, string, string];
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

const cases: Array<[string, string, TokenFailure | 'ok']> = [
  ['good', good, 'ok'],
  ['good with expiry in the future', issueToken({ ...base, exp: iat + 86400 * 30 }, gate.privateKey), 'ok'],
  ['tampered payload (type raised to staff)', `${prefix}.${b64({ ...base, t: 'staff' })}.${sig}`, 'bad-signature'],
  ['tampered signature', `${prefix}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`, 'bad-signature'],
  ['signed with another key under the trusted kid', issueToken(base, other.privateKey), 'bad-signature'],
  ['unknown kid', issueToken({ ...base, kid: 'hub-9' }, other.privateKey), 'unknown-key'],
  ['wrong site', issueToken({ ...base, site: 'other-village' }, gate.privateKey), 'wrong-site'],
  ['expired', issueToken({ ...base, exp: iat + 60 }, gate.privateKey), 'expired'],
  ['truncated', good.slice(0, -12), 'malformed'],
  ['signature missing', `${prefix}.${payload}`, 'malformed'],
  ['oversize', `${good}${'A'.repeat(301 - good.length)}`, 'oversize'],
  ['non-base64 payload', `${prefix}.${payload.slice(0, 10)}+/=${payload.slice(13)}.${sig}`, 'malformed'],
  ['non-base64 signature', `${prefix}.${payload}.${sig.slice(0, -3)}!!!`, 'malformed'],
  ['wrong prefix', `GP2.${payload}.${sig}`, 'malformed'],
  ['payload not JSON', `${prefix}.${Buffer.from('hello').toString('base64url')}.${sig}`, 'malformed'],
  ['unknown card type', `${prefix}.${b64({ ...base, t: 'pet' })}.${sig}`, 'malformed'],
  ['extra claim', `${prefix}.${b64({ ...base, admin: true })}.${sig}`, 'malformed'],
  ['empty', '', 'malformed'],
];

describe('GP1 pass-card tokens', () => {
  it('trusts a remembered signature only under the same key, and still checks site, expiry and revocation', () => {
    const card = issueToken({ ...base, id: 'hh-cache', exp: iat + 7200 }, gate.privateKey);
    expect(verify(card).ok).toBe(true);
    expect(verify(card).ok).toBe(true);
    // The kid now names another key (a rotated or replaced key): the remembered check does not carry over.
    expect(verifyToken(card, { keys: new Map([['g1', other.publicKey]]), site: 'demo-village', now: NOW })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyToken(card, { keys, site: 'other-village', now: NOW })).toMatchObject({ ok: false, reason: 'wrong-site' });
    expect(verifyToken(card, { keys, site: 'demo-village', now: NOW + 3 * 3600_000 })).toMatchObject({ ok: false, reason: 'expired' });
    expect(verify(card, ['hh-cache'])).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it.each(cases)('%s', (_name, token, expected) => {
    const r = verify(token);
    if (expected === 'ok') {
      expect(r).toEqual({ ok: true, claims: expect.objectContaining({ id: 'hh-001', site: 'demo-village' }) });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(expected);
        expect(r.text).toEqual(TOKEN_FAILURE_TEXT[expected]);
      }
    }
  });

  it('refuses a revoked card, and only that card', () => {
    expect(verify(good, ['hh-001'])).toMatchObject({ ok: false, reason: 'revoked' });
    expect(verify(good, ['hh-002']).ok).toBe(true);
    expect(verifyToken(good, { keys, site: 'demo-village', now: NOW, revoked: new Set(['hh-001']) })).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('expires at exp exactly', () => {
    const t = issueToken({ ...base, exp: iat + 100 }, gate.privateKey);
    expect(verifyToken(t, { keys, site: 'demo-village', now: (iat + 99) * 1000 }).ok).toBe(true);
    expect(verifyToken(t, { keys, site: 'demo-village', now: (iat + 100) * 1000 })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('follows the format in DESIGN.md: GP1.<base64url compact JSON>.<base64url Ed25519 over "GP1.<payload>">', () => {
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual(base);
    expect(Buffer.from(sig, 'base64url')).toHaveLength(64);
    expect(good.length).toBeLessThanOrEqual(300);
  });

  it('gives every failure a zh-CN and an English text', () => {
    for (const t of Object.values(TOKEN_FAILURE_TEXT)) {
      expect(t.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(t.en.length).toBeGreaterThan(5);
    }
  });

  it('refuses to issue a token too long for a small QR code', () => {
    expect(() => issueToken({ ...base, id: 'x'.repeat(64), hh: 'y'.repeat(64), site: 'z'.repeat(64), kid: 'k'.repeat(64) }, gate.privateKey)).toThrow(/max 300/);
  });

  it('reads public keys as PEM or raw base64url and round-trips them', () => {
    const raw = publicKeyToRaw(gate.publicKey);
    expect(publicKeyToRaw(publicKeyFrom(raw))).toBe(raw);
    expect(publicKeyToRaw(publicKeyFrom(gate.publicKey.export({ format: 'pem', type: 'spki' }) as string))).toBe(raw);
    expect(() => publicKeyFrom('not a key')).toThrow(/Ed25519/);
  });
});
