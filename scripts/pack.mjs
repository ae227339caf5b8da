#!/usr/bin/env node
// Packs the `gate` command into a few ES modules with esbuild (part of `npm run build`, after tsc has
// type-checked). Loading hundreds of small modules was most of the daemon's start: typebox alone is
// 700 files and took 0.6 s to import on the development VM, 0.05 s packed (BENCHMARKS.md, start to ready).
//   dist/packed/src/cli/main.js            what bin/gate.js runs
//   dist/packed/src/cli/commands/<name>.js one entry per subcommand (main.ts loads only the one asked for)
//   dist/packed/chunks/                    code shared between them; lazily imported parts (embedded
//                                          broker, QR encoder, roster readers) stay in their own chunks
//   dist/packed/src/sync/downlink-worker.js the worker thread that checks large hub updates
//   dist/packed/src/hub/declare/write-worker.js the hub's thread that commits phones' declarations
//   dist/packed/src/config/load.js, src/store/db.js, src/devices/gpio/chip-base.js
//                                          what scripts/install.sh (migrating the ledger before a
//                                          start) and scripts/outputs-safe.sh import: the same code
//                                          as the daemon's, in the same chunks
//   dist/packed/inputs.json                which source files each packed file holds (a test proves
//                                          from it that a production start loads no hardware-mocks/)
//   node scripts/pack.mjs                        the gate command
//   node scripts/pack.mjs --entry bench/gate.ts  also a bench entry (dist/packed/bench/gate.js), so the
//                                                bench measures the program as it ships
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const OUT = join(ROOT, 'dist/packed');

// Kept as packages in node_modules, loaded by Node at run time:
const EXTERNAL = [
  // native addons, found through node-gyp-build / bindings next to their package.json
  'better-sqlite3',
  'serialport',
  '@serialport/*',
  'onoff',
  'unix-dgram',
  // pino starts transports (pino-pretty) in worker threads from files of its own package
  'pino',
  'pino-pretty',
  'thread-stream',
  // 20 MB, loaded only for an .xlsx import or export
  'exceljs',
  // pg's optional libpq binding, required only when asked for (the hub uses the pure-JS client)
  'pg-native',
];

// @fastify/cookie loads `cookie` with import(). The cookie that supports Node 20 (1.x, pinned by
// package.json overrides) is CommonJS, and esbuild gives a dynamic import of CommonJS a default
// export only: this re-exports its names, as Node's own import() of it does.
const DYNAMIC_CJS = ['cookie'];
const cjsNamedExports = {
  name: 'cjs-named-exports',
  setup(b) {
    const filter = new RegExp(`^(${DYNAMIC_CJS.join('|')})$`);
    b.onResolve({ filter }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      return { path: createRequire(join(args.resolveDir, 'x.js')).resolve(args.path), namespace: 'cjs-named' };
    });
    b.onLoad({ filter: /.*/, namespace: 'cjs-named' }, (args) => {
      const names = Object.keys(createRequire(import.meta.url)(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const from = JSON.stringify(args.path);
      return { contents: `import * as m from ${from};\nexport const { ${names.join(', ')} } = m;\nexport default m;\n`, resolveDir: dirname(args.path) };
    });
  },
};

// `require('debug')` in what is packed resolves to scripts/debug-when-asked.cjs (why: that file).
const debugWhenAsked = {
  name: 'debug-when-asked',
  setup(b) {
    const shim = join(ROOT, 'scripts/debug-when-asked.cjs');
    b.onResolve({ filter: /^debug$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
  },
};

const extra = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--entry' && process.argv[i + 1]) extra.push(process.argv[++i]);
  else {
    console.error(`pack: unknown argument ${process.argv[i]}\nusage: node scripts/pack.mjs [--entry file.ts ...]`);
    process.exit(2);
  }
}

const SCRIPT_MODULES = ['src/config/load.ts', 'src/store/db.ts', 'src/devices/gpio/chip-base.ts'];
// A worker thread's code is a file of its own (src/kernel/module-worker.ts starts them).
const WORKERS = ['src/sync/downlink-worker.ts', 'src/hub/declare/write-worker.ts'];

const commands = readdirSync(join(ROOT, 'src/cli/commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => `src/cli/commands/${f}`);

rmSync(OUT, { recursive: true, force: true });
try {
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli/main.ts', ...commands, ...SCRIPT_MODULES, ...WORKERS, ...extra],
    outbase: '.',
    outdir: OUT,
    // src/cli/main.ts -> dist/packed/src/cli/main.js (main.ts finds its commands next to itself)
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [cjsNamedExports, debugWhenAsked],
    // CommonJS packages inside an ES module still call require() for Node's own modules.
    banner: { js: "import { createRequire as __packCreateRequire } from 'node:module'; const require = __packCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    legalComments: 'none',
    metafile: true,
  });
  const inputs = Object.fromEntries(Object.entries(metafile.outputs).filter(([out]) => out.endsWith('.js')).map(([out, o]) => [out, Object.keys(o.inputs)]));
  writeFileSync(join(OUT, 'inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);
} catch (err) {
  console.error(`pack: esbuild failed: ${err.message}`);
  process.exit(1);
}
