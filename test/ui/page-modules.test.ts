// The kiosk page's ES modules stand in layers: core/ at the bottom (state, i18n, the API client,
// shared widgets, on the pages' shared core of src/page-core/), the live stream and the screens above
// it, the shell (kiosk.js) on top. A module that imports one above it, or any circle, fails here; so
// does an import of the shared core (by its served path) that names no file of it, and a shared
// module that imports anything outside src/page-core/ (both daemons serve it, and nothing else beside it).
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLIC_DIR as OFFICE_DIR } from '../../src/hub/office/routes.js';
import { pageCoreDir } from '../../src/kernel/package-dir.js';
import { PUBLIC_DIR } from '../../src/ui/kiosk.js';

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

/** Module (path relative to the page folder) → the page modules it imports. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of modules(root)) {
    const from = relative(root, file).split('\\').join('/');
    const src = readFileSync(file, 'utf8');
    const targets = [...src.matchAll(/^\s*(?:import|export)\s+(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm)].map((m) => posix.normalize(posix.join(posix.dirname(from), m[1] as string)));
    graph.set(from, targets);
  }
  return graph;
}

/** The served paths a page's modules import the shared core by (`/assets/page-core/h.js`), as `file: path`. */
function sharedImports(root: string, prefix: string): string[] {
  return modules(root).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(?:[^'"]*?\sfrom\s+)?['"](\/[^'"]+)['"]/gm)].map((m) => `${relative(root, file)}: ${(m[1] as string).startsWith(prefix) ? (m[1] as string).slice(prefix.length) : `not under ${prefix}: ${m[1]}`}`),
  );
}

/** The first circle found, as a list of modules, or null. */
function findCircle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): string[] | null => {
    if (state.get(m) === 'done') return null;
    if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
    state.set(m, 'open');
    stack.push(m);
    for (const t of graph.get(m) ?? []) {
      const c = visit(t);
      if (c) return c;
    }
    stack.pop();
    state.set(m, 'done');
    return null;
  };
  for (const m of graph.keys()) {
    const c = visit(m);
    if (c) return c;
  }
  return null;
}

/** Lower number = lower layer; a module may import only its own layer or lower ones. */
const layer = (m: string) => (m.startsWith('core/') ? 1 : m === 'stream.js' ? 2 : m.startsWith('screens/') ? 3 : m === 'kiosk.js' ? 4 : -1);

describe('kiosk page modules', () => {
  const graph = importGraph(PUBLIC_DIR);

  it('reads the imports (the check sees a circle when there is one)', () => {
    expect(graph.get('kiosk.js')).toContain('screens/live.js');
    expect(graph.get('screens/live.js')).toContain('core/index.js');
    const bent = new Map(graph);
    bent.set('core/state.js', ['kiosk.js']);
    expect(findCircle(bent)).toEqual(expect.arrayContaining(['kiosk.js', 'core/state.js']));
  });

  it('has no import circle', () => {
    expect(findCircle(graph)).toBeNull();
  });

  it('imports only downwards: core ← stream ← screens ← shell; nothing imports the shell', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      for (const t of targets) {
        if (!graph.has(t)) wrong.push(`${from} imports ${t}, which does not exist`);
        else if (layer(from) < 0) wrong.push(`${from} is in no layer (core/, stream.js, screens/, kiosk.js, or a print page)`);
        else if (layer(t) > layer(from)) wrong.push(`${from} imports ${t}, a higher layer`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the pages\' shared core (src/page-core/)', () => {
  const shared = new Set(modules(pageCoreDir()).map((f) => relative(pageCoreDir(), f)));

  it('holds h(), the icons and the API client, and imports nothing outside itself', () => {
    expect([...shared].sort()).toEqual(expect.arrayContaining(['api.js', 'h.js', 'icons.js']));
    const graph = importGraph(pageCoreDir());
    const outside = [...graph].flatMap(([from, targets]) => targets.filter((t) => !shared.has(t)).map((t) => `${from} imports ${t}`));
    expect(outside).toEqual([]);
    expect(sharedImports(pageCoreDir(), '/')).toEqual([]);
  });

  it('is what the kiosk and the office import, by the path each daemon serves it at', () => {
    const kiosk = sharedImports(PUBLIC_DIR, '/assets/page-core/');
    const office = sharedImports(OFFICE_DIR, '/office/assets/page-core/');
    expect(kiosk).toContain('core/index.js: h.js');
    expect(kiosk).toContain('core/api.js: api.js');
    expect(office).toContain('core.js: h.js');
    expect(office).toContain('core.js: api.js');
    const wrong = [...kiosk, ...office].filter((line) => !shared.has(line.split(': ')[1] as string));
    expect(wrong).toEqual([]);
  });
});
