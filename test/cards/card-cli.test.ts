// `gate card issue | verify | key` and `gate simulate`, run through the real CLI entry.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { tempDir } from '../helpers/temp-dir.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  process.exitCode = undefined;
  try {
    const code = await runCli(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}

function configFile(): { dir: string; file: string } {
  const dir = tempDir('gate-cli-');
  const file = join(dir, 'gate.yaml');
  writeFileSync(file, `site:\n  id: test-village\ncards:\n  keyDir: ${join(dir, 'keys')}\n`);
  return { dir, file };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('gate card', () => {
  it('issues a token that verifies, and writes its QR code as SVG', async () => {
    const { dir, file } = configFile();
    const svg = join(dir, 'card.svg');
    const issued = await cli(['card', 'issue', '--type', 'household', '--id', 'hh-001', '--household', 'hh-001', '--exp', '30', '--config', file, '--svg', svg]);
    expect(issued.code).toBe(0);
    expect(issued.out).toMatch(/^GP1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(issued.err).toMatch(/created a new signing key/);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*hh-001/);
    const verified = await cli(['card', 'verify', issued.out, '--config', file]);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.out)).toMatchObject({ t: 'household', id: 'hh-001', hh: 'hh-001', site: 'test-village' });
  });

  it('prints the exact refusal reason and exits 1', async () => {
    const { file } = configFile();
    const token = (await cli(['card', 'issue', '--type', 'person', '--id', 'pc-9', '--household', 'hh-9', '--config', file])).out;
    const revoked = await cli(['card', 'verify', token, '--revoked', 'pc-8,pc-9', '--config', file]);
    expect(revoked).toMatchObject({ code: 1, err: expect.stringContaining('refused: revoked — 通行证已注销 / Pass card has been revoked') });
    const [prefix, payload, sig] = token.split('.') as [string, string, string];
    const tampered = await cli(['card', 'verify', `${prefix}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`, '--config', file]);
    expect(tampered).toMatchObject({ code: 1, err: expect.stringContaining('refused: bad-signature') });
    const other = configFile();
    expect((await cli(['card', 'verify', token, '--config', other.file])).err).toMatch(/refused: unknown-key/);
  });

  it('refuses bad options with a usable message', async () => {
    const { file } = configFile();
    expect(await cli(['card', 'issue', '--type', 'pet', '--id', 'x', '--config', file])).toMatchObject({ code: 2, err: expect.stringContaining('--type must be one of') });
    expect(await cli(['card', 'issue', '--type', 'person', '--id', 'x', '--config', file])).toMatchObject({ code: 2, err: expect.stringContaining('needs --household') });
    expect((await cli(['card', 'issue', '--type', 'staff', '--id', 'x', '--exp', '-3', '--config', file])).code).toBe(2);
  });

  it('prints the key id and public key for other gates and the hub', async () => {
    const { file } = configFile();
    const k = JSON.parse((await cli(['card', 'key', '--config', file])).out) as { kid: string; publicKey: string };
    expect(k.kid).toMatch(/^g/);
    expect(k.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('gate simulate', () => {
  it('prints one JSON line per decided passage', async () => {
    const r = await cli(['simulate', join(import.meta.dirname, '../../scenarios/02-fever-remeasure.yaml')]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ t: 10, passage: '1', lane: 'main', direction: 'in', subject: { kind: 'person', id: 'pc-101' }, outcome: 'refused', reasons: ['temp.fever'], alerts: ['fever'], flags: ['fever-hold'], spoken: ['请测体温', '体温三十七点六度，请复测', '体温三十七点九度，偏高，请到一旁等候工作人员'] });
  });

  it('exits 2 with one line per problem for a bad file, and for a missing one', async () => {
    const bad = await cli(['simulate', join(import.meta.dirname, '../fixtures/gate/bad-scenario.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad-scenario\.yaml: events\[2\]\.scan\.cardd \(line 9\): unknown field/);
    expect(await cli(['simulate', '/nonexistent/x.yaml'])).toMatchObject({ code: 2, err: expect.stringContaining('cannot read the scenario (ENOENT)') });
  });
});
