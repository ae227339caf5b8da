// CLI for people: `node dist/hardware-mocks/pty.js <kind> [options]` starts a simulated device on a
// pseudo-terminal, prints the path to put in the config, then takes commands on stdin.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { LineEnding, LinePreset } from './pty/line-formats.js';
import { PTY_DEVICE_KINDS, type PtyDevice, type PtyDeviceKind, startPtyDevice } from './pty-device.js';

export { type PtyDaemonConfig, type PtyDevice, type PtyDeviceKind, type PtyDeviceOptions, startPtyDevice } from './pty-device.js';

const USAGE = `usage: node dist/hardware-mocks/pty.js <${PTY_DEVICE_KINDS.join('|')}> [--dir /tmp] [--name gate-<kind>]
       [--preset t-equals|temp-colon|body|celsius-suffix|fahrenheit] [--ending CR|LF|CRLF|none]
       [--slave-id 1] [--register 0] [--scale 0.1]
commands on stdin: temp 36.6 | scan TEXT | raw HEX | unplug | replug | mute | unmute | quit`;

export async function command(dev: PtyDevice, line: string): Promise<string> {
  const [cmd = '', ...rest] = line.trim().split(/\s+/);
  const arg = rest.join(' ');
  switch (cmd) {
    case 'temp': {
      const c = Number(arg);
      if (!Number.isFinite(c)) throw new Error(`"temp" needs a number in °C: ${arg}`);
      await dev.sendTemperature(c);
      return `measured ${c} °C`;
    }
    case 'scan':
      if (!arg) throw new Error('"scan" needs the code text');
      await dev.sendScan(arg);
      return `scanned ${arg.length} characters`;
    case 'raw':
      if (!/^([0-9a-f]{2})+$/i.test(arg.replace(/\s/g, ''))) throw new Error(`"raw" needs hex bytes: ${arg}`);
      await dev.sendRaw(Buffer.from(arg.replace(/\s/g, ''), 'hex'));
      return 'sent';
    case 'unplug':
      await dev.unplug();
      return `unplugged: ${dev.path} is gone`;
    case 'replug':
      await dev.replug();
      return `plugged in at ${dev.path}`;
    case 'mute':
    case 'unmute':
      dev.mute(cmd === 'mute');
      return cmd === 'mute' ? 'not answering' : 'answering';
    case '':
      return '';
    default:
      throw new Error(`unknown command "${cmd}"`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string', default: '/tmp' },
      name: { type: 'string' },
      preset: { type: 'string' },
      ending: { type: 'string' },
      'slave-id': { type: 'string' },
      register: { type: 'string' },
      scale: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const kind = positionals[0] as PtyDeviceKind | undefined;
  if (values.help || !kind) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const dev = await startPtyDevice({
    kind,
    dir: values.dir ?? '/tmp',
    name: values.name ?? `gate-${kind}`,
    ...(values.preset ? { preset: values.preset as LinePreset } : {}),
    ...(values.ending ? { ending: values.ending as LineEnding | 'none' } : {}),
    ...(values['slave-id'] ? { slaveId: num(values['slave-id']) } : {}),
    ...(values.register ? { register: num(values.register) } : {}),
    ...(values.scale ? { scale: num(values.scale) } : {}),
  });
  console.log(`${kind} on ${dev.path}`);
  console.log(`config: ${JSON.stringify(dev.config)}`);
  const stop = async () => {
    await dev.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'quit') break;
    try {
      const said = await command(dev, line);
      if (said) console.log(said);
    } catch (err) {
      console.error(`error: ${(err as Error).message}`);
    }
  }
  await dev.stop();
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`pty: ${err.message}`);
      process.exit(1);
    },
  );
}
