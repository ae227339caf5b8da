// Every supported Node version (scripts/node-lib.sh) has its test file here, and package.json's
// engines names each supported major and no other.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PER_VERSION_TESTS, REPO, supportedVersions } from './matrix.js';

describe('supported Node versions', () => {
  const majors = supportedVersions().map((v) => v.split('.')[0]);

  it('are at least 20, 22, 24 and 26, and each has its test file', () => {
    expect(majors).toEqual(expect.arrayContaining(['20', '22', '24', '26']));
    const files = readdirSync(import.meta.dirname).filter((f) => /^node-\d+\.test\.ts$/.test(f));
    expect(files.sort()).toEqual(majors.map((m) => `node-${m}.test.ts`).sort());
  });

  it('are what package.json engines allows, major by major', () => {
    const engines = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).engines.node as string;
    expect(engines.split('||').map((r) => /\^(\d+)\./.exec(r.trim())?.[1])).toEqual(majors);
  });

  it('include the one the bundle ships and the one running this suite', () => {
    const bundled = /^BUNDLE_NODE_MAJOR=(\d+)$/m.exec(readFileSync(join(REPO, 'scripts/node-lib.sh'), 'utf8'))?.[1];
    expect(majors).toContain(bundled);
    expect(majors).toContain(process.versions.node.split('.')[0]);
  });

  it('run the per-version test files that exist (a moved file would silently drop out)', () => {
    expect(PER_VERSION_TESTS.filter((f) => !existsSync(join(REPO, f)))).toEqual([]);
  });
});
