// GP1 pass-card tokens (DESIGN.md): GP1.<base64url compact JSON>.<base64url Ed25519 signature>.
// Signing and verifying are computation, not I/O; key files live in src/cards.
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { CardType, Text } from '../model.js';
import { REASONS } from '../text.js';

export const TOKEN_PREFIX = 'GP1';
/** Small enough for a QR code that phone cameras and cheap scanners read. */
export const TOKEN_MAX_LENGTH = 300;
const CARD_TYPES: readonly CardType[] = ['household', 'person', 'vehicle', 'staff', 'visitor'];
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface CardClaims {
  t: CardType;
  id: string;
  /** Household id (absent on staff and visitor cards). */
  hh?: string;
  site: string;
  kid: string;
  /** Issued at, unix seconds. */
  iat: number;
  /** Expires at, unix seconds; absent = no expiry. */
  exp?: number;
}

export type TokenFailure = 'malformed' | 'oversize' | 'bad-signature' | 'unknown-key' | 'wrong-site' | 'expired' | 'revoked';

export const TOKEN_FAILURE_TEXT: Record<TokenFailure, Text> = {
  malformed: REASONS['card.malformed'],
  oversize: REASONS['card.oversize'],
  'bad-signature': REASONS['card.bad-signature'],
  'unknown-key': REASONS['card.unknown-key'],
  'wrong-site': REASONS['card.wrong-site'],
  expired: REASONS['card.expired'],
  revoked: REASONS['card.revoked'],
};

export type VerifyResult = { ok: true; claims: CardClaims } | { ok: false; reason: TokenFailure; text: Text; claims?: CardClaims };

export interface VerifyOptions {
  /** Trusted Ed25519 public keys by kid. */
  keys: ReadonlyMap<string, KeyObject>;
  site: string;
  /** Wall-clock milliseconds. */
  now: number;
  revoked?: ReadonlySet<string> | readonly string[];
}

function fail(reason: TokenFailure, claims?: CardClaims): VerifyResult {
  return claims ? { ok: false, reason, text: TOKEN_FAILURE_TEXT[reason], claims } : { ok: false, reason, text: TOKEN_FAILURE_TEXT[reason] };
}

export function decodeB64url(part: string): Buffer | undefined {
  if (!B64URL.test(part)) return undefined;
  const buf = Buffer.from(part, 'base64url');
  // Only the canonical encoding is accepted, so one card has exactly one token text.
  return buf.toString('base64url') === part ? buf : undefined;
}

function isClaims(v: unknown): v is CardClaims {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const c = v as Record<string, unknown>;
  const str = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= 64;
  const int = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (!CARD_TYPES.includes(c.t as CardType) || !str(c.id) || !str(c.site) || !str(c.kid) || !int(c.iat)) return false;
  if (c.hh !== undefined && !str(c.hh)) return false;
  if (c.exp !== undefined && !int(c.exp)) return false;
  return Object.keys(c).every((k) => ['t', 'id', 'hh', 'site', 'kid', 'iat', 'exp'].includes(k));
}

/** The JSON payload of a `<prefix>.<payload>.<signature>` text when `guard` accepts it; the signature is not checked. */
export function decodePayload<T>(text: string, prefix: string, guard: (v: unknown) => v is T): T | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts[0] !== prefix) return undefined;
  const payload = decodeB64url(parts[1] ?? '');
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(payload.toString('utf8'));
    return guard(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** Read the claims without checking the signature (for display of a refused card only). */
export function decodeToken(token: string): CardClaims | undefined {
  return decodePayload(token, TOKEN_PREFIX, isClaims);
}

/**
 * Tokens whose signature was already checked, with the key that checked it. A village scans the same
 * few hundred cards every day and an Ed25519 verification is the dearest step of a scan; the
 * signature of an unchanged token under an unchanged key cannot become wrong. Site, expiry and
 * revocation are still checked on every scan. Bounded: the oldest entries go first.
 */
const VERIFIED_MAX = 4096;
const verified = new Map<string, KeyObject>();

function signatureGood(text: string, signed: string, key: KeyObject, signature: Buffer): boolean {
  if (verified.get(text) === key) {
    verified.delete(text);
    verified.set(text, key);
    return true;
  }
  let good = false;
  try {
    good = verify(null, Buffer.from(signed, 'ascii'), key, signature);
  } catch {
    good = false;
  }
  if (good) {
    verified.set(text, key);
    if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
  }
  return good;
}

export function verifyToken(token: string, opts: VerifyOptions): VerifyResult {
  const text = token.trim();
  if (text.length > TOKEN_MAX_LENGTH) return fail('oversize');
  const parts = text.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return fail('malformed');
  const claims = decodeToken(text);
  const signature = decodeB64url(parts[2] ?? '');
  if (!claims || !signature || signature.length !== 64) return fail('malformed');
  const key = opts.keys.get(claims.kid);
  if (!key) return fail('unknown-key', claims);
  if (!signatureGood(text, `${TOKEN_PREFIX}.${parts[1]}`, key, signature)) return fail('bad-signature');
  if (claims.site !== opts.site) return fail('wrong-site', claims);
  if (claims.exp !== undefined && opts.now >= claims.exp * 1000) return fail('expired', claims);
  const revoked = opts.revoked;
  if (revoked && (Array.isArray(revoked) ? revoked.includes(claims.id) : (revoked as ReadonlySet<string>).has(claims.id))) return fail('revoked', claims);
  return { ok: true, claims };
}

/** Sign claims into a token. Throws when the result would not fit a small QR code. */
export function issueToken(claims: CardClaims, privateKey: KeyObject): string {
  if (!isClaims(claims)) throw new Error('Card claims are incomplete: need t, id, site, kid and iat (ids 1–64 characters)');
  const compact: CardClaims = { t: claims.t, id: claims.id, ...(claims.hh ? { hh: claims.hh } : {}), site: claims.site, kid: claims.kid, iat: claims.iat, ...(claims.exp !== undefined ? { exp: claims.exp } : {}) };
  const signed = `${TOKEN_PREFIX}.${Buffer.from(JSON.stringify(compact), 'utf8').toString('base64url')}`;
  const token = `${signed}.${sign(null, Buffer.from(signed, 'ascii'), privateKey).toString('base64url')}`;
  if (token.length > TOKEN_MAX_LENGTH) throw new Error(`Card token would be ${token.length} characters (max ${TOKEN_MAX_LENGTH}); use shorter ids`);
  return token;
}

/** A public key from config: PEM, or base64url of the raw 32 bytes. */
export function publicKeyFrom(text: string): KeyObject {
  const t = text.trim();
  try {
    if (t.startsWith('-----BEGIN')) return createPublicKey(t);
    const raw = decodeB64url(t.replace(/=+$/, ''));
    if (raw?.length === 32) return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    // fall through to the error below
  }
  throw new Error('Public key must be an Ed25519 PEM or base64url of its 32 raw bytes');
}

/** base64url of the raw 32-byte Ed25519 public key (the form config and the hub use). */
export function publicKeyToRaw(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('Not an Ed25519 public key');
  return jwk.x;
}

export function privateKeyFrom(pem: string): KeyObject {
  return createPrivateKey(pem);
}
