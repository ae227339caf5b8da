// The gate's own Ed25519 signing key for pass cards: created on first start, kept on disk with
// owner-only permissions, loaded after. The only file I/O of the card feature.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { publicKeyFrom, publicKeyToRaw } from '../gate/credentials/token.js';

export const PRIVATE_KEY_FILE = 'gate-ed25519.key.pem';

export interface GateKeys {
  /** Key id written into every card this gate issues. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** base64url of the raw 32-byte public key, for the hub's and other gates' trustedKeys. */
  publicKeyRaw: string;
  /** True when this call generated the key. */
  created: boolean;
  /** Problems fixed on the way (e.g. permissions tightened), for the log. */
  warnings: string[];
}

/** A short kid from the public key, so tokens stay small and a new key never reuses an old kid. */
export function kidFor(publicKey: KeyObject): string {
  return `g${createHash('sha256').update(publicKeyToRaw(publicKey)).digest('base64url').slice(0, 7)}`;
}

function writeExclusive(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function loadKeys(keyDir: string, path: string, warnings: string[]): GateKeys {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    chmodSync(path, 0o600);
    warnings.push(`${path} was readable by others (mode ${mode.toString(8)}); tightened to 600`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not a readable private key; restore it from backup, or move it away to create a new key (cards issued with the old key will then need the old public key in cards.trustedKeys)`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path} holds a ${privateKey.asymmetricKeyType} key; the gate signs cards with Ed25519`);
  const dirMode = statSync(keyDir).mode & 0o777;
  if (dirMode & 0o077) {
    chmodSync(keyDir, 0o700);
    warnings.push(`${keyDir} was open to others (mode ${dirMode.toString(8)}); tightened to 700`);
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: kidFor(publicKey), privateKey, publicKey, publicKeyRaw: publicKeyToRaw(publicKey), created: false, warnings };
}

/** Load the gate's signing key from keyDir, creating the directory (0700) and the key (0600) on first start. */
export function loadOrCreateKeys(keyDir: string): GateKeys {
  const path = join(keyDir, PRIVATE_KEY_FILE);
  const warnings: string[] = [];
  if (existsSync(path)) return loadKeys(keyDir, path, warnings);
  try {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    chmodSync(keyDir, 0o700);
  } catch (err) {
    throw new Error(`Cannot create the key directory ${keyDir} (${(err as NodeJS.ErrnoException).code ?? err}); set cards.keyDir to a writable path`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    writeExclusive(path, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  } catch (err) {
    // Another process created it at the same moment: use theirs.
    if (existsSync(path)) return loadKeys(keyDir, path, warnings);
    throw new Error(`Cannot write the gate key to ${path} (${(err as NodeJS.ErrnoException).code ?? err}); check cards.keyDir`);
  }
  return { kid: kidFor(publicKey), privateKey, publicKey, publicKeyRaw: publicKeyToRaw(publicKey), created: true, warnings };
}

/** The keys a gate trusts: its own, plus configured issuers (e.g. the hub). A bad entry is an error naming it. */
export function trustedKeys(own: Pick<GateKeys, 'kid' | 'publicKey'> | undefined, configured: ReadonlyArray<{ kid: string; publicKey: string }>): Map<string, KeyObject> {
  const map = new Map<string, KeyObject>();
  if (own) map.set(own.kid, own.publicKey);
  configured.forEach((k, i) => {
    try {
      map.set(k.kid, publicKeyFrom(k.publicKey));
    } catch (err) {
      throw new Error(`cards.trustedKeys[${i}] (kid ${k.kid}): ${(err as Error).message}`);
    }
  });
  return map;
}
