import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { qrModules } from '../../src/cards/qr-svg.js';
import {
  DECLARATION_FAILURE_TEXT,
  DECLARATION_MAX_LENGTH,
  type DeclarationClaims,
  type DeclarationFailure,
  issueDeclaration,
  issueDeclarationCodes,
  newDeclarationId,
  verifyDeclaration,
} from '../../src/gate/credentials/declaration.js';

const site = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const NOW = Date.parse('2026-12-06T10:00:00+08:00');
const iat = Math.floor(NOW / 1000) - 600;
const d = newDeclarationId();
const base: DeclarationClaims = { d, k: 'v', site: 'demo-village', kid: 'h1', iat, exp: iat + 86_400, m: [['张三', '123X'], ['李四', '0017']] };
const keys = new Map([['h1', site.publicKey]]);
const usedKey = (id: string, index: number) => `${id}/${index}`;
const check = (text: string, used: string[] = []) => verifyDeclaration(text, { keys, site: 'demo-village', now: NOW, used: (id, index) => used.includes(usedKey(id, index)) });
const good = issueDeclaration(base, site.privateKey);
const [prefix, payload, sig] = good.split('.') as [string, string, string];
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

const cases: Array<[string, string, DeclarationFailure | 'ok', string[]?]> = [
  ['good household code', good, 'ok'],
  ['tampered payload (a name changed)', `${prefix}.${b64({ ...base, m: [['王五', '123X']] })}.${sig}`, 'bad-signature'],
  ['tampered expiry', `${prefix}.${b64({ ...base, exp: iat + 86_400 * 30 })}.${sig}`, 'bad-signature'],
  ['tampered signature', `${prefix}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`, 'bad-signature'],
  ['another key under the trusted kid', issueDeclaration(base, other.privateKey), 'bad-signature'],
  ['unknown kid', issueDeclaration({ ...base, kid: 'h9' }, other.privateKey), 'unknown-key'],
  ['wrong site', issueDeclaration({ ...base, site: 'other-village' }, site.privateKey), 'wrong-site'],
  ['expired', issueDeclaration({ ...base, exp: iat + 60 }, site.privateKey), 'expired'],
  ['every member already used', good, 'used', [usedKey(d, 0), usedKey(d, 1)]],
  ['one member of two used: still good', good, 'ok', [usedKey(d, 0)]],
  ['truncated', good.slice(0, -10), 'malformed'],
  ['pass-card prefix', `GP1.${payload}.${sig}`, 'malformed'],
  ['guessable id', issueDeclarationBypass({ ...base, d: 'short' }), 'malformed'],
  ['full ID number in the payload', issueDeclarationBypass({ ...base, m: [['张三', '310101199001011234']] }), 'malformed'],
  ['unknown field', issueDeclarationBypass({ ...base, phone: '13800000000' }), 'malformed'],
  ['oversize', `${good}${'A'.repeat(DECLARATION_MAX_LENGTH + 1 - good.length)}`, 'oversize'],
];

/** Signs anything, to prove the verifier (not only the issuer) refuses a bad payload. */
function issueDeclarationBypass(claims: object): string {
  const signed = `GD1.${b64(claims)}`;
  return `${signed}.${sign(null, Buffer.from(signed, 'ascii'), site.privateKey).toString('base64url')}`;
}

describe('declaration codes (GD1)', () => {
  it.each(cases)('%s', (_name, text, expected, used) => {
    const r = check(text, used);
    if (expected === 'ok') {
      expect(r.ok, JSON.stringify(r)).toBe(true);
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(expected);
        expect(r.text).toEqual(DECLARATION_FAILURE_TEXT[expected]);
      }
    }
  });

  it('expands a household code into its members, each with its index and whether it was used', () => {
    const r = check(good, [usedKey(d, 1)]);
    expect(r.ok && r.members).toEqual([
      { index: 0, name: '张三', idTail: '123X', used: false },
      { index: 1, name: '李四', idTail: '0017', used: true },
    ]);
  });

  it('gives one code per person with its own index, and a household code when there are several', () => {
    const codes = issueDeclarationCodes(base, site.privateKey);
    expect(codes.household).toBeDefined();
    expect(codes.persons).toHaveLength(2);
    const second = check(codes.persons[1] as string);
    expect(second.ok && second.members).toEqual([{ index: 1, name: '李四', idTail: '0017', used: false }]);
    expect(check(codes.persons[1] as string, [usedKey(d, 1)]).ok).toBe(false);
    expect(check(codes.persons[0] as string, [usedKey(d, 1)]).ok).toBe(true);
    expect(issueDeclarationCodes({ ...base, m: [['张三', '123X']] }, site.privateKey).household).toBeUndefined();
  });

  it('fits a household of eight with long names on a phone-screen QR code', () => {
    const big = { ...base, m: Array.from({ length: 8 }, (_, i): [string, string] => [`欧阳${'娜'.repeat(4)}${i}`, '123X']) };
    const code = issueDeclaration(big, site.privateKey);
    expect(code.length).toBeLessThanOrEqual(DECLARATION_MAX_LENGTH);
    // Version 25 at level M is 117 modules: at 300 px on a 360 px screen each is 2.5 px; one person fits version 13 (69).
    expect(qrModules(code).length).toBeLessThanOrEqual(117);
    expect(qrModules(issueDeclaration({ ...base, m: [['张三', '123X']], x: 0 }, site.privateKey)).length).toBeLessThanOrEqual(69);
  });

  it('refuses to issue what the verifier would refuse', () => {
    expect(() => issueDeclaration({ ...base, m: [] }, site.privateKey)).toThrow(/members/);
    expect(() => issueDeclaration({ ...base, d: 'abc' }, site.privateKey)).toThrow(/d \(16/);
  });

  it('makes ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newDeclarationId));
    expect(ids.size).toBe(1000);
    expect([...ids].every((x) => x.length === 22)).toBe(true);
  });
});
