// Loading the configuration for a subcommand: problems printed one per line, exit code 2.
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

export function configOrExit(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Config | undefined {
  try {
    return loadConfig(file, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) console.error(`${file ?? 'configuration'}: ${p}`);
    process.exitCode = 2;
    return undefined;
  }
}
