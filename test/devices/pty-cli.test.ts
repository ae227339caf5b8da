// The simulator CLI for people: start a device on a pty, drive it from stdin, read it with serialport.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from './rigs.js';

const ROOT = join(import.meta.dirname, '../..');

describe('node hardware-mocks/pty.js', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-pty-cli-'));
  let child: ChildProcessWithoutNullStreams | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the path, measures on "temp", unplugs and replugs, and quits cleanly', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'hardware-mocks/pty.ts'), 'line-thermometer', '--dir', dir, '--name', 'thermo', '--preset', 'fahrenheit', '--ending', 'LF'], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const path = join(dir, 'thermo');
    await until('the device line', () => out.includes(`line-thermometer on ${path}`), 15_000);
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    let got = '';
    port.on('data', (d: Buffer) => (got += d.toString()));
    port.on('error', () => {});
    child.stdin.write('temp 37\n');
    await until('the reading on the port', () => got.includes('\n'));
    expect(got).toBe('98.6F\n');
    child.stdin.write('bogus\n');
    await until('an error for a bad command', () => err.includes('unknown command "bogus"'));
    child.stdin.write('unplug\n');
    await until('the link to disappear', () => !existsSync(path));
    await new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res()));
    child.stdin.write('replug\n');
    await until('the link to come back', () => existsSync(path));
    child.stdin.write('quit\n');
    const code = await new Promise<number | null>((res) => child?.once('exit', (c) => res(c)));
    expect(code).toBe(0);
    expect(existsSync(path)).toBe(false);
  }, 30_000);
});
