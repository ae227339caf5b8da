// `gate hub`: the village hub daemon and its configuration tools (docs/hub.md).
import type { Command } from 'commander';
import { documentSchema } from '../../config/document.js';
import { ConfigError, loadAgainst } from '../../config/load.js';
import { HUB_DOC_HEADER, HUB_ENV, type HubConfig, HubConfigSchema } from '../../hub/config.js';
import { handleSignals } from '../../hub/kernel.js';

export function loadHubConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): HubConfig | undefined {
  try {
    return loadAgainst<HubConfig>(HubConfigSchema, HUB_ENV, file, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) console.error(`${file ?? 'hub configuration'}: ${p}`);
    process.exitCode = 2;
    return undefined;
  }
}

export function register(program: Command): void {
  const hub = program.command('hub').description('The village hub: receives every gate\'s passages, alerts and reports (docs/hub.md)');
  hub
    .command('run', { isDefault: true })
    .description('Run the hub daemon')
    .option('-c, --config <file>', 'YAML hub configuration (see config/hub.default.yaml)')
    .action(async (opts: { config?: string }) => {
      const config = loadHubConfig(opts.config);
      if (!config) return;
      const [{ startHub }, { createLogger }] = await Promise.all([import('../../hub/hub.js'), import('../../hub/kernel.js')]);
      const logger = createLogger(config.logging);
      let hubd: Awaited<ReturnType<typeof startHub>>;
      try {
        hubd = await startHub({ config, logger });
      } catch (err) {
        logger.fatal({ err }, 'the hub could not start');
        console.error(`gate hub: could not start: ${(err as Error).message}`);
        process.exitCode = 1;
        setImmediate(() => process.exit(1));
        return;
      }
      console.log(
        [
          `村级汇总已就绪 · Village hub ready (${config.hub.name}; sites ${config.hub.sites.join(', ')})`,
          `  Storage:   ${hubd.storage.engine} ${hubd.storage.where}`,
          `  MQTT:      ${config.mqtt.url}`,
          `  API:       ${hubd.apiUrl ?? '(off)'}/api/v1/gates   token: ${hubd.tokenFile ?? 'api.token in the config'}`,
          '  Stop: Ctrl-C',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        handleSignals({
          stop: () => hubd.stop(),
          exit: (code) => {
            process.exitCode = code;
            resolve();
            setTimeout(() => process.exit(code), 500).unref();
          },
          logger,
        });
      });
    });
  hub
    .command('check-config')
    .description('Validate a hub configuration file; one line per problem, exit 2 when invalid')
    .argument('<file>', 'YAML hub configuration')
    .action((file: string) => {
      const config = loadHubConfig(file);
      if (config) console.log(`${file}: ok (hub ${config.hub.name}, sites ${config.hub.sites.join(', ')}, storage ${config.hub.storage.url ? 'postgresql' : 'sqlite'})`);
    });
  hub
    .command('config-doc')
    .description('Print the documented default hub configuration (= config/hub.default.yaml)')
    .action(() => {
      process.stdout.write(documentSchema(HubConfigSchema, HUB_DOC_HEADER));
    });
}
