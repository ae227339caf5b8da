// Health-declaration tokens (健康申报, docs/declare.md): the QR code a visitor or a returning resident
// shows from their own phone. GD1.<base64url compact JSON>.<base64url Ed25519 signature>, signed by the
// site's key like a pass card (token.ts), checked offline. The payload carries what the gate needs to
// prefill its visitor form when the declaration itself has not come down yet: each person's name and
// the last four characters of the ID number, never the full number or the phone.
import { type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import type { Text } from '../model.js';
import { decodeB64url, decodePayload } from './token.js';

export const DECLARATION_PREFIX = 'GD1';
/** A phone screen shows a denser code than a printed card: a household of eight fits in version ~15 at level M. */
export const DECLARATION_MAX_LENGTH = 700;
export const DECLARATION_MAX_MEMBERS = 8;
const ID = /^[A-Za-z0-9_-]{16,32}$/;

/** `v` a visitor (外来人员); `r` a resident coming back (返乡报备). */
export type DeclarationKind = 'v' | 'r';

export interface DeclarationClaims {
  /** The declaration's unguessable id (at least 96 random bits, base64url). */
  d: string;
  k: DeclarationKind;
  site: string;
  kid: string;
  iat: number;
  exp: number;
  /** Members as [name, ID tail]; a per-person code holds one. */
  m: Array<[string, string]>;
  /** Per-person code: the member's index in the declaration. Absent: the household code, all members. */
  x?: number;
}

export type DeclarationFailure = 'malformed' | 'oversize' | 'unknown-key' | 'bad-signature' | 'wrong-site' | 'expired' | 'used';

export const DECLARATION_FAILURE_TEXT: Record<DeclarationFailure, Text> = {
  malformed: { zh: '申报码格式错误，请让对方重新打开申报结果页', en: 'Declaration code is malformed; ask them to reopen their result page' },
  oversize: { zh: '申报码过长', en: 'Declaration code is too long' },
  'unknown-key': { zh: '申报码签发密钥未被信任（非本村申报页？）', en: 'Declaration signed by an untrusted key (not this village\'s page?)' },
  'bad-signature': { zh: '申报码签名无效（可能被篡改），请人工登记', en: 'Declaration signature is invalid (possibly tampered); register by hand' },
  'wrong-site': { zh: '这是其他村/小区的申报码', en: 'This declaration is for another site' },
  expired: { zh: '申报已过期，请重新填报', en: 'Declaration has expired; declare again' },
  used: { zh: '申报码已使用过，请重新填报', en: 'Declaration already used; declare again' },
};

/** One person of a verified declaration code, with their index in the declaration. */
export interface DeclaredMember {
  index: number;
  name: string;
  idTail: string;
  used: boolean;
}

export type DeclarationResult =
  | { ok: true; claims: DeclarationClaims; members: DeclaredMember[] }
  | { ok: false; reason: DeclarationFailure; text: Text; claims?: DeclarationClaims };

export interface DeclarationVerifyOptions {
  keys: ReadonlyMap<string, KeyObject>;
  site: string;
  /** Wall-clock milliseconds. */
  now: number;
  /** Whether a member was already admitted on this declaration (the gate's ledger knows). */
  used?: (declarationId: string, index: number) => boolean;
}

/** A fresh unguessable declaration id: 128 random bits. */
export function newDeclarationId(): string {
  return randomBytes(16).toString('base64url');
}

export function isDeclarationText(text: string): boolean {
  return text.trimStart().startsWith(`${DECLARATION_PREFIX}.`);
}

function isClaims(v: unknown): v is DeclarationClaims {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const c = v as Record<string, unknown>;
  const str = (x: unknown, max = 64) => typeof x === 'string' && x.length > 0 && x.length <= max;
  const int = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (typeof c.d !== 'string' || !ID.test(c.d) || (c.k !== 'v' && c.k !== 'r') || !str(c.site) || !str(c.kid) || !int(c.iat) || !int(c.exp)) return false;
  if (!Array.isArray(c.m) || c.m.length < 1 || c.m.length > DECLARATION_MAX_MEMBERS) return false;
  if (!c.m.every((p) => Array.isArray(p) && p.length === 2 && str(p[0], 40) && typeof p[1] === 'string' && /^[0-9X]{4}$/.test(p[1]))) return false;
  if (c.x !== undefined && (!int(c.x) || (c.x as number) >= 64 || c.m.length !== 1)) return false;
  return Object.keys(c).every((k) => ['d', 'k', 'site', 'kid', 'iat', 'exp', 'm', 'x'].includes(k));
}

/** The claims without checking the signature (to name a refused code's declaration in a log only). */
export function decodeDeclaration(text: string): DeclarationClaims | undefined {
  return decodePayload(text, DECLARATION_PREFIX, isClaims);
}

function fail(reason: DeclarationFailure, claims?: DeclarationClaims): DeclarationResult {
  return claims ? { ok: false, reason, text: DECLARATION_FAILURE_TEXT[reason], claims } : { ok: false, reason, text: DECLARATION_FAILURE_TEXT[reason] };
}

/** Check a scanned declaration code: the signature before anything in the payload is believed. */
export function verifyDeclaration(text: string, o: DeclarationVerifyOptions): DeclarationResult {
  const t = text.trim();
  if (t.length > DECLARATION_MAX_LENGTH) return fail('oversize');
  const parts = t.split('.');
  if (parts.length !== 3 || parts[0] !== DECLARATION_PREFIX) return fail('malformed');
  const claims = decodeDeclaration(t);
  const signature = decodeB64url(parts[2] ?? '');
  if (!claims || !signature || signature.length !== 64) return fail('malformed');
  const key = o.keys.get(claims.kid);
  if (!key) return fail('unknown-key', claims);
  let good = false;
  try {
    good = verify(null, Buffer.from(`${DECLARATION_PREFIX}.${parts[1]}`, 'ascii'), key, signature);
  } catch {
    good = false;
  }
  if (!good) return fail('bad-signature');
  if (claims.site !== o.site) return fail('wrong-site', claims);
  if (o.now >= claims.exp * 1000) return fail('expired', claims);
  const members = claims.m.map(([name, idTail], i) => {
    const index = claims.x ?? i;
    return { index, name, idTail, used: o.used?.(claims.d, index) === true };
  });
  if (members.every((m) => m.used)) return fail('used', claims);
  return { ok: true, claims, members };
}

/** Sign a declaration code. Throws when it would not fit a phone-screen QR code. */
export function issueDeclaration(claims: DeclarationClaims, privateKey: KeyObject): string {
  if (!isClaims(claims)) throw new Error('Declaration claims are incomplete: need d (16–32 base64url), k, site, kid, iat, exp and 1–8 members [name ≤ 40, 4-character ID tail]');
  const compact: DeclarationClaims = { d: claims.d, k: claims.k, site: claims.site, kid: claims.kid, iat: claims.iat, exp: claims.exp, m: claims.m, ...(claims.x !== undefined ? { x: claims.x } : {}) };
  const signed = `${DECLARATION_PREFIX}.${Buffer.from(JSON.stringify(compact), 'utf8').toString('base64url')}`;
  const token = `${signed}.${sign(null, Buffer.from(signed, 'ascii'), privateKey).toString('base64url')}`;
  if (token.length > DECLARATION_MAX_LENGTH) throw new Error(`Declaration code would be ${token.length} characters (max ${DECLARATION_MAX_LENGTH}): use per-person codes`);
  return token;
}

/** The household code (all members) when it fits, and one code per person. */
export function issueDeclarationCodes(base: Omit<DeclarationClaims, 'x'>, privateKey: KeyObject): { household?: string; persons: string[] } {
  let household: string | undefined;
  try {
    if (base.m.length > 1) household = issueDeclaration(base, privateKey);
  } catch {
    household = undefined;
  }
  const persons = base.m.map((member, x) => issueDeclaration({ ...base, m: [member], x }, privateKey));
  return household ? { household, persons } : { persons };
}
