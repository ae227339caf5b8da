#!/usr/bin/env node
// Refreshes docs/screenshots/hub-*.png from the office's Chromium tests (test/hub/office-browser.test.ts,
// office-announcements.test.ts, and office-print.test.ts for the daily report's A4 print view), which
// otherwise write them to a scratch folder. Look at them after.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync('npx', ['vitest', 'run', 'test/hub/office-browser.test.ts', 'test/hub/office-announcements.test.ts', 'test/hub/office-print.test.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, OFFICE_SHOTS: join(root, 'docs', 'screenshots') } });
process.exit(r.status ?? 1);
