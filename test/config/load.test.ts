import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentedDefaultConfig } from '../../src/config/document.js';
import { ConfigError, loadConfig, validateConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/temp-dir.js';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/config', name);

describe('config validation', () => {
  it('an empty config is complete with documented defaults', () => {
    const { config, problems } = validateConfig({});
    expect(problems).toEqual([]);
    expect(config?.rules.feverThreshold).toBe(37.3);
    expect(config?.rules.temperatureFloor).toBe(35);
    expect(config?.rules.householdQuota.days).toBe(2);
    expect(config?.kiosk.host).toBe('127.0.0.1');
    expect(config?.storage.retentionDays).toBe(30);
  });

  it('names each wrong option with what was expected and what was found', () => {
    const { problems } = validateConfig({ site: { id: 'village 7' }, rules: { feverThreshold: 'hot' }, kiosk: { port: 99999 } });
    expect(problems).toHaveLength(3);
    expect(problems).toContain('site.id: expected text matching ^[A-Za-z0-9_-]+$, found string "village 7"');
    expect(problems).toContain('rules.feverThreshold: expected a number, found string "hot"');
    expect(problems).toContain('kiosk.port: expected a number <= 65535, found number 99999');
  });

  it('an unknown option (a typo) is an error, not ignored', () => {
    const { problems } = validateConfig({ mqtt: { urll: 'mqtt://x' } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^mqtt\.urll: unknown option \(expected one of: .*url.*\), found string "mqtt:\/\/x"$/);
  });

  it('errors inside lists carry the index', () => {
    const { problems } = validateConfig({ lanes: [{ id: 'main' }, { id: 'side', thermometers: [{ id: 't1', driver: 'laser' }] }] });
    expect(problems.join('\n')).toMatch(/lanes\[1\]\.thermometers\[0\]\.driver/);
  });

  it('secrets come from the environment', () => {
    const c = loadConfig(undefined, { GATE_ADMIN_PIN: '246810', GATE_MQTT_PASSWORD: 's3cret', GATE_KIOSK_PORT: '9090' });
    expect(c.kiosk.adminPin).toBe('246810');
    expect(c.mqtt.password).toBe('s3cret');
    expect(c.kiosk.port).toBe(9090);
  });

  it('a bad environment override is reported like a bad option', () => {
    expect(() => loadConfig(undefined, { GATE_KIOSK_PORT: 'eighty' })).toThrow(/env GATE_KIOSK_PORT: expected a whole number, found "eighty"/);
    expect(() => loadConfig(undefined, { GATE_ADMIN_PIN: '12' })).toThrow(/kiosk\.adminPin: expected text matching/);
  });

  it('YAML syntax errors and duplicate keys are reported, not half-read', () => {
    expect(() => loadConfig(fixture('duplicate-key.yaml'), {})).toThrow(ConfigError);
    const dir = tempDir('cfg-');
    writeFileSync(join(dir, 'bad.yaml'), 'site: [unclosed\n');
    expect(() => loadConfig(join(dir, 'bad.yaml'), {})).toThrow(/YAML/);
    expect(() => loadConfig(join(dir, 'missing.yaml'), {})).toThrow(/cannot read the file/);
  });

  it('config/default.yaml is generated from the schema, valid, and equal to the defaults', () => {
    const file = join(import.meta.dirname, '../../config/default.yaml');
    expect(readFileSync(file, 'utf8'), 'config/default.yaml is stale: run `node bin/gate.js config-doc > config/default.yaml`').toBe(documentedDefaultConfig());
    expect(loadConfig(file, {})).toEqual(validateConfig({}).config);
  });
});

describe('gate check-config', () => {
  it('prints one line per wrong option and exits 2', () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/gate.js'), 'check-config', fixture('three-wrong.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(': ')[1])).toEqual(['site.id', 'rules.feverThreshold', 'kiosk.port']);
  });

  it('exits 0 on a good file, warning when it has no lane for a real gate', () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/gate.js'), 'check-config', join(import.meta.dirname, '../../config/default.yaml')], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/^\S+default\.yaml: warning: no lanes configured/);
    expect(r.status).toBe(0);
    const example = join(import.meta.dirname, '../../config/examples/pi4-hid-scanner-serial-thermometer-relay.yaml');
    const good = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/gate.js'), 'check-config', example], { encoding: 'utf8' });
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
  });
});
