// The API's bearer token: from the config, or made once and kept in the data folder (mode 0600).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function apiToken(configured: string | undefined, dataDir: string): { token: string; file?: string; created: boolean } {
  if (configured) return { token: configured, created: false };
  const file = join(dataDir, 'api-token');
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 16) return { token: t, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the hub API token ${file}: ${(err as Error).message}`);
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file, created: true };
}
