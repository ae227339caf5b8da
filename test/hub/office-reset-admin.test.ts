// `gate hub reset-admin` (the shipped command, a real process) on a hub's data folder: a new one-time
// password that signs in, the old one refused, admin's sessions ended; on both engines.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Accounts } from '../../src/hub/office/accounts.js';
import { openHubDb } from '../../src/hub/storage/open.js';
import { GATE_BIN } from '../helpers/daemon.js';
import { ENGINES, freshStorage } from './support.js';

describe.each(ENGINES)('gate hub reset-admin on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('prints a new one-time password that signs in; the old one and admin\'s sessions no longer work', async () => {
    const where = await freshStorage(engine);
    const first = await openHubDb(where);
    closers.push(() => first.close());
    const accounts = new Accounts(first.db, { idleMs: 60_000 });
    const old = (await accounts.ensureAdmin()) as string;
    const admin = await accounts.check('admin', old);
    const session = await accounts.open(admin as NonNullable<typeof admin>);
    const file = join(where.dataDir, 'hub.yaml');
    writeFileSync(file, stringify({ hub: { storage: { dataDir: where.dataDir, ...(where.url ? { url: where.url } : {}) } } }));
    const r = spawnSync(process.execPath, [GATE_BIN, 'hub', 'reset-admin', '-c', file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const fresh = /password of "admin": ([A-Za-z0-9]{16})/.exec(r.stdout)?.[1];
    expect(fresh, r.stdout).toBeDefined();
    expect(await accounts.check('admin', fresh as string)).toMatchObject({ name: 'admin', role: 'admin' });
    expect(await accounts.check('admin', old)).toBeUndefined();
    expect(await accounts.session(session.token)).toBeUndefined();
  });
});
