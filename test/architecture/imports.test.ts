// The house's rules, checked on the import lines of src/ and hardware-mocks/ (docs/architecture.md):
// a layer imports only the layers below it, production code never loads hardware-mocks/, and no
// import circle. The checker is itself tested on small made-up trees that break each rule.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon.js';
import { checkGraph, cliEntries, importsOf, LAYERS, readModules } from './import-graph.js';

const tree = (files: Record<string, string>) => new Map(Object.entries(files));
const ENTRY = ['src/cli/main.ts'];

describe('the import graph of src/', () => {
  const modules = readModules(ROOT, ['src', 'hardware-mocks']);

  it('reads the whole tree, the CLI entries among it', () => {
    expect(modules.size).toBeGreaterThan(150);
    expect(cliEntries(modules)).toContain('src/cli/commands/run.ts');
  });

  it('has no layer importing a higher one, no production path to hardware-mocks/, and no circle', () => {
    const problems = checkGraph(modules, cliEntries(modules));
    expect(problems.layers).toEqual([]);
    expect(problems.mocks).toEqual([]);
    expect(problems.cycles).toEqual([]);
  });

  it('has the devices take the gate’s words from one place, src/devices/vocabulary.ts', () => {
    const elsewhere = [...modules]
      .filter(([f]) => f.startsWith('src/devices/') && f !== 'src/devices/vocabulary.ts')
      .flatMap(([f, text]) => importsOf(f, text))
      .filter((i) => i.to.startsWith('src/gate/'))
      .map((i) => `${i.from} imports ${i.to}`);
    expect(elsewhere).toEqual([]);
  });

  it('has hardware-mocks/ stand on the devices’ contract only (src/devices, src/gate, src/kernel)', () => {
    const above = [...modules]
      .filter(([f]) => f.startsWith('hardware-mocks/'))
      .flatMap(([f, text]) => importsOf(f, text))
      .filter((i) => i.to.startsWith('src/') && !/^src\/(devices|gate|kernel)\//.test(i.to))
      .map((i) => `${i.from} imports ${i.to}`);
    expect(above).toEqual([]);
  });

  it('names every folder of the layers in docs/architecture.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    for (const folder of LAYERS.flatMap((l) => l.folders)) expect(doc, folder).toContain(`src/${folder}/`);
  });
});

describe('the checker', () => {
  it('reads static, type-only, re-exported, side-effect and dynamic imports, over several lines', () => {
    const text = [
      "import { a,\n  b } from '../kernel/bus.js';",
      "import type { C } from './c.js';",
      "export { d } from './d.js';",
      "import './e.js';",
      "const f = await import('../../hardware-mocks/f.js');",
      "// a comment naming 'x' from nowhere",
    ].join('\n');
    expect(importsOf('src/devices/m.ts', text)).toEqual([
      { from: 'src/devices/m.ts', to: 'src/kernel/bus.ts', dynamic: false, typeOnly: false },
      { from: 'src/devices/m.ts', to: 'src/devices/c.ts', dynamic: false, typeOnly: true },
      { from: 'src/devices/m.ts', to: 'src/devices/d.ts', dynamic: false, typeOnly: false },
      { from: 'src/devices/m.ts', to: 'src/devices/e.ts', dynamic: false, typeOnly: false },
      { from: 'src/devices/m.ts', to: 'hardware-mocks/f.ts', dynamic: true, typeOnly: false },
    ]);
  });

  it('fails a lower layer importing a higher one, a sibling, or the composition root', () => {
    const p = checkGraph(
      tree({
        'src/kernel/bus.ts': "import type { Passage } from '../gate/model.js';",
        'src/gate/model.ts': '',
        'src/devices/manager.ts': "import type { AppContext } from '../app/context.js';\nimport { openLedger } from '../store/ledger.js';",
        'src/store/ledger.ts': '',
        'src/app/context.ts': '',
        'src/devices/config.ts': "import { Type } from '../config/typebox.js';",
        'src/config/typebox.ts': '',
        'src/config/schema.ts': "import { LaneSchema } from '../devices/config.js';",
      }),
      [],
    );
    expect(p.layers).toEqual([
      'src/kernel/bus.ts (kernel) imports src/gate/model.ts (gate): a layer imports only the layers below it',
      'src/devices/manager.ts (devices) imports src/app/context.ts (app): a layer imports only the layers below it',
      'src/devices/manager.ts (devices) imports src/store/ledger.ts (store): a layer imports only the layers below it',
    ]);
  });

  it('fails production code that loads hardware-mocks/, statically or through a module that does', () => {
    const p = checkGraph(
      tree({
        'src/cli/main.ts': "import { startApp } from '../app/app.js';",
        'src/app/app.ts': "import { planSim } from './sim.js';\nconst { mockDrivers } = await import('../../hardware-mocks/drivers.js');",
        'src/app/sim.ts': "import { startPty } from '../../hardware-mocks/pty.js';",
        'src/devices/drivers.ts': "import { MockGpio } from '../../hardware-mocks/in-process.js';",
        'src/ui/kiosk.ts': "const s = await import('../app/sim.js');",
        'hardware-mocks/pty.ts': '',
        'hardware-mocks/drivers.ts': '',
        'hardware-mocks/in-process.ts': '',
      }),
      ENTRY,
    );
    expect(p.mocks).toEqual([
      'src/devices/drivers.ts imports hardware-mocks/in-process.ts: only the composition root may bring the mocks in',
      'a production start loads src/cli/main.ts → src/app/app.ts → src/app/sim.ts → hardware-mocks/pty.ts',
      'src/ui/kiosk.ts loads src/app/sim.ts → hardware-mocks/pty.ts: only the composition root may bring the mocks in',
    ]);
    expect(p.layers).toEqual(['src/ui/kiosk.ts (ui) imports src/app/sim.ts (app): a layer imports only the layers below it']);
  });

  it('lets the composition root bring the mocks in by a dynamic import, and a type-only import load nothing', () => {
    const p = checkGraph(
      tree({
        'src/cli/main.ts': "import { startApp } from '../app/app.js';",
        'src/app/app.ts': "import type { Sim } from './sim.js';\nconst sim = await import('./sim.js');",
        'src/app/sim.ts': "import { startPty } from '../../hardware-mocks/pty.js';",
        'hardware-mocks/pty.ts': '',
      }),
      ENTRY,
    );
    expect(p).toEqual({ layers: [], mocks: [], cycles: [] });
  });

  it('fails a circle, whatever its length', () => {
    const p = checkGraph(
      tree({
        'src/store/a.ts': "import { b } from './b.js';",
        'src/store/b.ts': "import { c } from './c.js';",
        'src/store/c.ts': "import { a } from './a.js';",
        'src/store/d.ts': "import { d } from './d.js';",
        'src/store/e.ts': "import { a } from './a.js';",
      }),
      [],
    );
    expect(p.cycles).toEqual([['src/store/a.ts', 'src/store/b.ts', 'src/store/c.ts'], ['src/store/d.ts']]);
  });

  it('fails a folder of src/ that no layer names', () => {
    const p = checkGraph(tree({ 'src/misc/x.ts': "import { y } from '../kernel/y.js';", 'src/kernel/y.ts': '' }), []);
    expect(p.layers).toEqual(['src/misc/x.ts: its folder is in no layer (test/architecture/import-graph.ts, docs/architecture.md)']);
  });
});
