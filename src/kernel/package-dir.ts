// Where the checkpoint-gate package is installed: the nearest folder above this module whose
// package.json is ours. Works from the TypeScript sources (tests), tsc's dist/src and the packed
// dist/packed/ alike, whatever file this code ends up in.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'checkpoint-gate';

let found: { dir: string; version: string } | undefined;

function find(): { dir: string; version: string } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) {
        found = { dir, version: pkg.version ?? '0.0.0' };
        return found;
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} package directory above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The package's folder (holds src/ui/public, config/, scenarios/). */
export const packageDir = (): string => find().dir;

/** The version in our package.json. */
export const packageVersion = (): string => find().version;

/**
 * The pages' shared core (src/page-core/: `h()`, the icons, the API client), plain ES modules for the
 * browser that both daemons serve beside their own page: the kiosk at /assets/page-core/, the hub's
 * office at /office/assets/page-core/.
 */
export const pageCoreDir = (): string => join(find().dir, 'src', 'page-core');
