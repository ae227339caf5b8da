// `gate run`: the daemon. Without --config it runs the simulation (mock devices, embedded broker,
// demo village), which is what `npm start` does.
import { join } from 'node:path';
import type { Command } from 'commander';
import { startApp } from '../../app/app.js';
import { handleSignals } from '../../kernel/lifecycle.js';
import { createLogger } from '../../kernel/logger.js';
import { simulationConfig } from '../../app/simulation.js';
import { configOrExit } from '../load-config.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('Run the gate daemon (without --config: the simulation with mock devices, an embedded broker and a demo village)')
    .option('-c, --config <file>', 'YAML configuration file (see config/default.yaml)')
    .option('--simulation', 'mock devices, embedded MQTT broker, demo roster and the simulator control (`gate sim`)')
    .action(async (opts: { config?: string; simulation?: boolean }) => {
      const loaded = configOrExit(opts.config);
      if (!loaded) return;
      const config = opts.simulation || !opts.config || loaded.simulation ? simulationConfig(loaded) : loaded;
      const logger = createLogger(config.logging);
      let app: Awaited<ReturnType<typeof startApp>>;
      try {
        app = await startApp({ config, logger });
      } catch (err) {
        logger.fatal({ err }, 'the gate could not start');
        console.error(`gate: could not start: ${(err as Error).message}`);
        process.exitCode = 1;
        // Exit now: a half-started daemon must not linger on open handles.
        setImmediate(() => process.exit(1));
        return;
      }
      // The simulated village: the hub receiving this gate, as an office would run it.
      let hubd: Awaited<ReturnType<typeof import('../simulated-hub.js').startSimulatedHub>> | undefined;
      let demoDeclaration: string | undefined;
      if (config.simulation && config.mqtt.enabled) {
        try {
          const { seedDemoDeclaration, startSimulatedHub } = await import('../simulated-hub.js');
          hubd = await startSimulatedHub({ gate: config, brokerUrl: app.brokerUrl, dataDir: app.ctx.dataDir, logger });
          // The kiosk's poster (/print/declare) leads to the page beside it, unless the config names another.
          const page = hubd.declare.url();
          if (page && !app.ctx.config.kiosk.declarePageUrl) app.ctx.config.kiosk.declarePageUrl = `${page}/`;
          demoDeclaration = await seedDemoDeclaration({ hub: hubd, gate: app, site: config.site.id, hubDataDir: join(app.ctx.dataDir, 'hub'), gateDataDir: app.ctx.dataDir }).catch((err: Error) => {
            logger.warn({ err }, 'no demo declaration');
            return undefined;
          });
        } catch (err) {
          logger.error({ err }, 'the simulated hub could not start; the gate runs on');
        }
      }
      const lines = [
        `检查站卡口已就绪 · Checkpoint gate ready (${config.site.id}/${config.gate.id}${config.simulation ? ', simulation' : ''})`,
        `  Kiosk 值守屏:   ${app.kioskUrl}`,
        `  MQTT broker:    ${app.brokerUrl}`,
        `  Watch MQTT:     ${mosquittoSub(app.brokerUrl, config.mqtt.topicRoot)}`,
      ];
      if (hubd) {
        lines.push(`  Hub 村级汇总:    ${hubd.apiUrl}/api/v1/gates   (token: ${hubd.token})`);
        lines.push(`                  curl -H 'Authorization: Bearer ${hubd.token}' ${hubd.apiUrl}/api/v1/passages`);
        const page = hubd.declare.url();
        if (page) lines.push(`  健康申报 Declare: ${page}/   (the phone's page)${demoDeclaration ? `   demo code: gate sim scan "$(sed -n 4p ${demoDeclaration})"` : ''}`);
        if (hubd.officeUrl) lines.push(`  指挥部 Office:   ${hubd.officeUrl}${hubd.adminPassword ? `   (first start: admin / ${hubd.adminPassword}; \`gate hub reset-admin\` makes a new one)` : ''}`);
      }
      if (app.simControl) {
        lines.push(`  Simulator:      gate sim scan hh-001 · gate sim temp 36.6 · gate sim mask · gate sim colour green`);
        lines.push(`                  gate sim play scenarios/01-resident-in-out.yaml   (demo cards: ${app.ctx.dataDir}/demo-cards.txt)`);
      }
      lines.push('  Stop: Ctrl-C');
      console.log(lines.join('\n'));
      await new Promise<void>((resolve) => {
        handleSignals({
          stop: async () => {
            await hubd?.stop();
            await app.stop();
          },
          exit: (code) => {
            process.exitCode = code;
            resolve();
            // Anything still holding the loop open after a clean stop is a bug; do not hang systemd.
            setTimeout(() => process.exit(code), 500).unref();
          },
          logger,
        });
      });
    });
}

/** The exact command that listens to this gate's broker (the port may be a fallback, not 1883). */
export function mosquittoSub(brokerUrl: string, topicRoot: string): string {
  let u: URL;
  try {
    u = new URL(brokerUrl);
  } catch {
    return `mosquitto_sub -v -t '${topicRoot}/#'   (broker ${brokerUrl})`;
  }
  const tls = u.protocol === 'mqtts:';
  const port = u.port || (tls ? '8883' : '1883');
  return `mosquitto_sub -h ${u.hostname} -p ${port} -v -t '${topicRoot}/#'${tls ? ' --capath /etc/ssl/certs' : ''}${u.username ? ` -u ${decodeURIComponent(u.username)} -P …` : ''}`;
}
