// The hub's configuration: one schema, the documented defaults file generated from it, and
// `gate hub check-config` naming each problem.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentSchema } from '../../src/config/document.js';
import { loadAgainst, validateAgainst } from '../../src/config/load.js';
import { HUB_DOC_HEADER, HUB_ENV, type HubConfig, HubConfigSchema } from '../../src/hub/config.js';
import { tempDir } from '../helpers/temp-dir.js';

const REPO = join(import.meta.dirname, '../..');
const GATE = join(REPO, 'bin/gate.js');

describe('hub configuration', () => {
  it('config/hub.default.yaml is generated from the schema and is valid', () => {
    const file = join(REPO, 'config/hub.default.yaml');
    expect(readFileSync(file, 'utf8'), 'config/hub.default.yaml is stale: run `node bin/gate.js hub config-doc > config/hub.default.yaml`').toBe(documentSchema(HubConfigSchema, HUB_DOC_HEADER));
    const c = loadAgainst<HubConfig>(HubConfigSchema, HUB_ENV, file, {});
    expect(c.hub.sites).toEqual(['demo-village']);
    expect(c.hub.storage.url).toBeUndefined();
    expect(c.mqtt.protocolVersion).toBe(5);
  });

  it('takes the storage URL and secrets from the environment', () => {
    const c = loadAgainst<HubConfig>(HubConfigSchema, HUB_ENV, undefined, { HUB_STORAGE_URL: 'postgres://hub@db/hub', HUB_API_PORT: '0', HUB_MQTT_PASSWORD: 'pw' });
    expect(c.hub.storage.url).toBe('postgres://hub@db/hub');
    expect(c.api.port).toBe(0);
    expect(c.mqtt.password).toBe('pw');
  });

  it('names every problem: a typo, a storage URL that is not PostgreSQL, an empty site list', () => {
    const { problems } = validateAgainst(HubConfigSchema, { hub: { sites: [], storage: { url: 'mysql://x', batchrows: 5 } } });
    expect(problems.join('\n')).toMatch(/hub\.storage\.batchrows: unknown option/);
    expect(problems.join('\n')).toMatch(/hub\.storage\.url: expected text matching/);
    expect(problems.join('\n')).toMatch(/hub\.sites: expected a list of at least 1/);
  });

  it('`gate hub check-config` exits 2 on a bad file and 0 on a good one', () => {
    const dir = tempDir('hubcfg-');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'hub:\n  sites: [v1]\n  storag: {}\n');
    const r = spawnSync(process.execPath, [GATE, 'hub', 'check-config', bad], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/hub\.storag: unknown option/);
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'hub:\n  sites: [v1, v2]\n  storage:\n    url: postgres://hub@127.0.0.1/hub\n');
    const ok = spawnSync(process.execPath, [GATE, 'hub', 'check-config', good], { encoding: 'utf8' });
    expect(ok.stdout).toMatch(/ok \(hub hub-1, sites v1, v2, storage postgresql\)/);
    expect(ok.status).toBe(0);
  });
});
