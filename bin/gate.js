#!/usr/bin/env node
// The operator's tool. Built code lives in dist/ (npm run build): tsc checks and compiles the
// sources, scripts/pack.mjs packs them into dist/packed/ so the daemon starts quickly.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/packed/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('gate: not built yet. Run "npm run build" (or "npm start") in the project folder first.');
  process.exit(1);
}
const { runCli } = await import(main);
process.exitCode = await runCli(process.argv.slice(2));
