// Starts a worker thread whose code is a module beside the caller: tsc's dist/src (the same folder),
// an entry of its own in the packed build (scripts/pack.mjs: dist/packed/<path>), or the TypeScript
// source under tests (loaded through tsx).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageDir } from './package-dir.js';

/** `here`: the caller's import.meta.url; `name`: the worker's file name without extension; `packed`: its path in the repository without extension. */
export function startModuleWorker(here: string, name: string, packed: string): Worker {
  if (here.endsWith('.ts')) {
    const tsxDir = join(createRequire(here).resolve('tsx/package.json'), '..');
    const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
    const target = new URL(`./${name}.ts`, here).href;
    return new Worker(`import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(target)}); })`, { eval: true });
  }
  const beside = fileURLToPath(new URL(`./${name}.js`, here));
  return new Worker(existsSync(beside) ? beside : join(packageDir(), `dist/packed/${packed}.js`));
}
