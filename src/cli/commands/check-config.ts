import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config/load.js';

export function register(program: Command): void {
  program
    .command('check-config')
    .description('Validate a configuration file; prints one line per problem and exits 2 when it is invalid')
    .argument('<file>', 'YAML configuration file')
    .action((file: string) => {
      try {
        const config = loadConfig(file, process.env);
        console.log(`${file}: ok (site ${config.site.id}, gate ${config.gate.id}, ${config.lanes.length} lane(s))`);
        // Valid, but `gate run` will not start a real gate without a lane (simulation adds its own).
        if (config.lanes.length === 0 && !config.simulation) console.error(`${file}: warning: no lanes configured; \`gate run\` starts only in simulation until lanes and their devices are added (config/examples/)`);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) console.error(`${file}: ${p}`);
        process.exitCode = 2;
      }
    });
}
