// The kiosk page's ES modules stand in layers: core/ at the bottom (state, i18n, h(), the API client,
// shared widgets), the live stream and the screens above it, the shell (kiosk.js) on top. A module
// that imports one above it, or any circle, fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
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
const layer = (m: string) => (m === 'icons.js' ? 0 : m.startsWith('core/') ? 1 : m === 'stream.js' ? 2 : m.startsWith('screens/') ? 3 : m === 'kiosk.js' ? 4 : -1);

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
        else if (layer(from) < 0) wrong.push(`${from} is in no layer (core/, stream.js, screens/, kiosk.js, icons.js, or a print page)`);
        else if (layer(t) > layer(from)) wrong.push(`${from} imports ${t}, a higher layer`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
