// Where the browser tests write their screenshots: a scratch folder (test-output/screenshots, ignored by
// git) unless KIOSK_SCREENSHOTS names another. `npm run screenshots` sets it to docs/screenshots, so a
// test run never rewrites the committed pictures.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

export function screenshotPath(file: string): string {
  const dir = process.env.KIOSK_SCREENSHOTS ? resolve(ROOT, process.env.KIOSK_SCREENSHOTS) : join(ROOT, 'test-output', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}
