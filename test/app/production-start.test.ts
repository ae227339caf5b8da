// A production start (`gate run` with real drivers, no --simulation) never loads a file of
// hardware-mocks/: only the composition root brings the mocks in, in simulation, by a dynamic import;
// nor the kiosk keyboard's pinyin index (read on the first question, src/ui/text/pinyin.ts).
// Seen from the outside: the daemon runs under a module hook that writes down every module it loads.
// The packed program (what ships) is mapped back to its sources by dist/packed/inputs.json.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, type ExpectStatic, it } from 'vitest';
import { ROOT, type RunningDaemon, startDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOOK = pathToFileURL(join(ROOT, 'test/fixtures/modules/record.mjs')).href;
const GATE_DIST = join(ROOT, 'test/fixtures/modules/gate-dist.mjs');

/** A lane of real drivers on device nodes that are not there: reported disconnected, the daemon runs. */
const REAL_LANE = {
  id: 'main',
  direction: 'both',
  scanners: [{ id: 'scanner-1', driver: 'serial', path: '/dev/serial/by-id/no-such-scanner' }],
  thermometers: [{ id: 'thermo-1', driver: 'serial-line', path: '/dev/serial/by-id/no-such-thermometer', preset: 'body' }],
};

const daemons: RunningDaemon[] = [];
afterAll(async () => {
  for (const d of daemons) await d.stop('SIGKILL').catch(() => {});
});

/**
 * Starts the daemon under the hook; resolves with the source files it had loaded once ready. The
 * simulation runs without MQTT: with it, `gate run --simulation` also starts the village hub beside
 * the gate (src/cli/simulated-hub.ts), a quarter of the start's CPU that says nothing about the mocks.
 */
async function loadedSources(expect: ExpectStatic, o: { simulation: boolean; bin?: string }): Promise<string[]> {
  const dir = tempDir('gate-modules-');
  const record = join(dir, 'modules.txt');
  const d = await startDaemon({
    dir,
    config: { simulation: o.simulation, ...(o.simulation ? { mqtt: { enabled: false } } : { lanes: [REAL_LANE] }) },
    nodeArgs: ['--import', HOOK],
    // A bound, not a wait: three starts side by side on a loaded machine.
    readyTimeoutMs: 60_000,
    env: { RECORD_MODULES: record },
    ...(o.bin ? { bin: o.bin } : {}),
  });
  daemons.push(d);
  const files = readFileSync(record, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => relative(ROOT, fileURLToPath(u)).split('\\').join('/'));
  // Under the module hook a SIGTERM right on the banner killed the daemon before its handler ran
  // (seen here only, cause not found): the kiosk answering first means the daemon is well past it.
  expect((await fetch(`${d.kioskUrl}/healthz`)).status).toBe(200);
  const { code } = await d.stop('SIGTERM');
  expect(code, d.output()).toBe(0);
  const packed = JSON.parse(readFileSync(join(ROOT, 'dist/packed/inputs.json'), 'utf8')) as Record<string, string[]>;
  // A packed file stands for the sources esbuild put in it; tsc's output for its one source.
  return [...new Set(files.flatMap((f) => packed[f] ?? [f.replace(/^dist\//, '').replace(/\.js$/, '.ts')]))].sort();
}

const mocksIn = (files: string[]) => files.filter((f) => f.startsWith('hardware-mocks/'));

// The three daemons start side by side: each start spends most of its time waiting (for a CPU on a
// loaded machine, for its ports and files), and one after the other they took over 15 s there.
describe.concurrent('a production start', () => {
  it('of the packed program (bin/gate.js) loads no file of hardware-mocks/; the simulation does', async ({ expect }) => {
    const [production, simulation] = await Promise.all([loadedSources(expect, { simulation: false }), loadedSources(expect, { simulation: true })]);
    expect(production).toContain('src/devices/scanner/serial-scanner.ts');
    expect(production).toContain('src/app/app.ts');
    expect(mocksIn(production)).toEqual([]);
    // Nor what serves a rare question, held for good once loaded: the keyboard's pinyin index.
    expect(production.filter((f) => f.includes('node_modules/pinyin-pro/') || f === 'src/ui/text/pinyin-index.ts')).toEqual([]);
    // The hook and the mapping do see the mocks when they are loaded.
    expect(mocksIn(simulation)).toEqual(expect.arrayContaining(['hardware-mocks/drivers.ts', 'hardware-mocks/in-process.ts', 'hardware-mocks/pty.ts']));
  });

  it('of the unpacked program (tsc output, one module a file) loads no file of hardware-mocks/', async ({ expect }) => {
    const production = await loadedSources(expect, { simulation: false, bin: GATE_DIST });
    expect(production).toContain('src/kernel/bus.ts');
    expect(production).toContain('src/devices/drivers.ts');
    expect(mocksIn(production)).toEqual([]);
  });
});
