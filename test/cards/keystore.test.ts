import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKeys, PRIVATE_KEY_FILE, trustedKeys } from '../../src/cards/keystore.js';
import { issueToken, verifyToken } from '../../src/gate/credentials/token.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('gate-keys-');

describe('gate key store', () => {
  it('creates the key on first start with owner-only permissions, and loads the same key after', () => {
    const dir = join(tmp(), 'var', 'keys');
    const first = loadOrCreateKeys(dir);
    expect(first.created).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = loadOrCreateKeys(dir);
    expect(again.created).toBe(false);
    expect(again.kid).toBe(first.kid);
    expect(again.publicKeyRaw).toBe(first.publicKeyRaw);
    expect(first.kid).toMatch(/^g[A-Za-z0-9_-]{7}$/);
  });

  it('signs cards that a gate trusting its public key accepts', () => {
    const k = loadOrCreateKeys(tmp());
    const token = issueToken({ t: 'person', id: 'pc-1', hh: 'hh-1', site: 's', kid: k.kid, iat: 1 }, k.privateKey);
    const keys = trustedKeys(k, []);
    expect(verifyToken(token, { keys, site: 's', now: 2000 }).ok).toBe(true);
    const hubOnly = trustedKeys(undefined, [{ kid: k.kid, publicKey: k.publicKeyRaw }]);
    expect(verifyToken(token, { keys: hubOnly, site: 's', now: 2000 }).ok).toBe(true);
  });

  it('tightens a key file others could read, and says so', () => {
    const dir = tmp();
    loadOrCreateKeys(dir);
    chmodSync(join(dir, PRIVATE_KEY_FILE), 0o644);
    const k = loadOrCreateKeys(dir);
    expect(statSync(join(dir, PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(k.warnings.join()).toMatch(/tightened to 600/);
  });

  it('refuses a damaged key file with a message naming it, and a bad trusted key by index', () => {
    const dir = tmp();
    writeFileSync(join(dir, PRIVATE_KEY_FILE), 'not a key', { mode: 0o600 });
    expect(() => loadOrCreateKeys(dir)).toThrow(new RegExp(`${PRIVATE_KEY_FILE} is not a readable private key`));
    expect(readFileSync(join(dir, PRIVATE_KEY_FILE), 'utf8')).toBe('not a key');
    expect(() => trustedKeys(undefined, [{ kid: 'hub', publicKey: 'zzz' }])).toThrow(/cards\.trustedKeys\[0\] \(kid hub\)/);
  });

  it('says where it cannot create the key directory', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), '');
    expect(() => loadOrCreateKeys(join(dir, 'file', 'keys'))).toThrow(/set cards.keyDir to a writable path/);
  });
});
