// A small import-graph check (no parser dependency): reads the import lines of the sources, then
// checks the layers of docs/architecture.md, that production code never loads hardware-mocks/, and
// that no import circle exists.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

/** Folders of src/ from the bottom up; a folder may import only folders of a lower rank (and itself). */
export const LAYERS: ReadonlyArray<{ rank: number; folders: string[]; what: string }> = [
  { rank: 0, folders: ['kernel'], what: 'what every daemon stands on; knows no domain' },
  { rank: 1, folders: ['config'], what: 'the configuration schema and loader (each part’s config.ts belongs here)' },
  { rank: 2, folders: ['gate'], what: 'the pure gate core' },
  { rank: 3, folders: ['store', 'devices'], what: 'the parts the gate stands on: the ledger, the devices' },
  { rank: 4, folders: ['runtime'], what: 'the gate runtime and the gate’s event map' },
  { rank: 5, folders: ['cards'], what: 'keys, the core built from config, the colour verifier' },
  { rank: 6, folders: ['sync'], what: 'MQTT to the hub' },
  { rank: 7, folders: ['ui'], what: 'the kiosk' },
  { rank: 8, folders: ['app', 'hub'], what: 'composition roots: the gate daemon, the hub daemon' },
  { rank: 9, folders: ['cli'], what: 'the `gate` command' },
];

export interface Import {
  from: string;
  to: string;
  /** `import('…')`: loaded when the code runs, not when the module is. */
  dynamic: boolean;
  /** `import type` / `export type … from`: erased by the compiler, never loaded. */
  typeOnly: boolean;
}

/** The relative imports of one module's text: static (`import`/`export … from`, `import '…'`) and dynamic. */
export function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  const add = (spec: string, dynamic: boolean, typeOnly = false) => {
    if (!spec.startsWith('.')) return;
    out.push({ from: file, to: posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'), dynamic, typeOnly });
  };
  for (const m of text.matchAll(/^[ \t]*(?:import|export)\b(\s+type\b)?[^;'"]*?\bfrom\s*'([^']+)'/gm)) add(m[2] as string, false, m[1] !== undefined);
  for (const m of text.matchAll(/^[ \t]*import\s*'([^']+)'/gm)) add(m[1] as string, false);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) add(m[1] as string, true);
  return out;
}

/** Every .ts module below `dirs` of `root`, by its path relative to root (POSIX separators). */
export function readModules(root: string, dirs: string[]): Map<string, string> {
  const modules = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) modules.set(relative(root, p).split('\\').join('/'), readFileSync(p, 'utf8'));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return modules;
}

/** The layer of a module of src/: its folder's, except each part's `config.ts` (also in a part's subfolder, e.g. src/hub/declare/config.ts), which is the config layer's. */
export function layerOf(file: string): { folder: string; rank: number } | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 3) return undefined;
  const folder = parts.at(-1) === 'config.ts' ? 'config' : (parts[1] as string);
  const layer = LAYERS.find((l) => l.folders.includes(folder));
  return layer ? { folder, rank: layer.rank } : undefined;
}

export interface GraphProblems {
  /** A lower layer importing a higher one (or a sibling of its rank), or a folder no layer names. */
  layers: string[];
  /** Production code loading a file of hardware-mocks/. */
  mocks: string[];
  /** Import circles, each as its modules. */
  cycles: string[][];
}

/**
 * Checks `modules` (path → text). `entries` are where production starts (the CLI): nothing they load
 * by static imports may be under hardware-mocks/, and only the composition root (src/app/) may load
 * hardware-mocks/, or a module that does, by a dynamic import.
 */
export function checkGraph(modules: ReadonlyMap<string, string>, entries: string[]): GraphProblems {
  const problems: GraphProblems = { layers: [], mocks: [], cycles: [] };
  const edges = new Map<string, Import[]>();
  for (const [file, text] of modules) edges.set(file, importsOf(file, text));
  const isMock = (f: string) => f.startsWith('hardware-mocks/');

  for (const list of edges.values()) {
    for (const i of list) {
      const a = layerOf(i.from);
      if (!i.from.startsWith('src/')) continue;
      if (!a) {
        problems.layers.push(`${i.from}: its folder is in no layer (test/architecture/import-graph.ts, docs/architecture.md)`);
        continue;
      }
      if (isMock(i.to)) {
        if (a.folder !== 'app') problems.mocks.push(`${i.from} imports ${i.to}: only the composition root may bring the mocks in`);
        continue;
      }
      const b = layerOf(i.to);
      if (!b) continue;
      if (a.folder !== b.folder && b.rank >= a.rank) problems.layers.push(`${i.from} (${a.folder}) imports ${i.to} (${b.folder}): a layer imports only the layers below it`);
    }
  }

  // What production loads when it starts: the static closure of the entries, each module with the one that loaded it.
  const staticClosure = (start: string[]): Map<string, string | undefined> => {
    const seen = new Map<string, string | undefined>();
    const todo: Array<[string, string | undefined]> = start.map((f) => [f, undefined]);
    while (todo.length) {
      const [f, by] = todo.shift() as [string, string | undefined];
      if (seen.has(f)) continue;
      seen.set(f, by);
      for (const i of edges.get(f) ?? []) if (!i.dynamic && !i.typeOnly) todo.push([i.to, f]);
    }
    return seen;
  };
  const chain = (seen: Map<string, string | undefined>, f: string): string => {
    const path = [f];
    for (let by = seen.get(f); by !== undefined; by = seen.get(by)) path.unshift(by);
    return path.join(' → ');
  };
  const started = staticClosure(entries);
  for (const f of started.keys()) if (isMock(f)) problems.mocks.push(`a production start loads ${chain(started, f)}`);
  for (const list of edges.values()) {
    for (const i of list) {
      if (!i.dynamic || !i.from.startsWith('src/') || i.from.startsWith('src/app/')) continue;
      const loaded = staticClosure([i.to]);
      const reached = [...loaded.keys()].find(isMock);
      if (reached) problems.mocks.push(`${i.from} loads ${chain(loaded, reached)}: only the composition root may bring the mocks in`);
    }
  }

  // Circles: strongly connected components of more than one module, or a module importing itself (Tarjan).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const { to: w } of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).some((i) => i.to === v)) problems.cycles.push(scc.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return problems;
}

/** The CLI's modules: where every production start begins (scripts/pack.mjs packs the same entries). */
export function cliEntries(modules: ReadonlyMap<string, string>): string[] {
  return [...modules.keys()].filter((f) => f === 'src/cli/main.ts' || dirname(f) === 'src/cli/commands');
}
