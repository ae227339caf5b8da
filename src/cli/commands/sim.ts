// `gate sim …`: the simulator control of a daemon running in simulation (`npm start`). Finds the
// daemon through <data dir>/sim-control.json and talks to it over loopback.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { SIM_CONTROL_FILE, type SimControlInfo } from '../../app/sim-control.js';
import { looksLikeResidentId } from '../../gate/credentials/resident-id.js';
import { configOrExit } from '../load-config.js';

interface SimOpts {
  config?: string;
  lane?: string;
}

function controlInfo(opts: SimOpts): SimControlInfo | undefined {
  const config = configOrExit(opts.config);
  if (!config) return undefined;
  const file = join(resolve(dirname(config.storage.path)), SIM_CONTROL_FILE);
  if (!existsSync(file)) {
    console.error(`gate sim: no simulation is running here (${file} is missing). Start one with "npm start" (or "gate run --simulation") in this folder.`);
    process.exitCode = 1;
    return undefined;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as SimControlInfo;
}

async function call(opts: SimOpts, action: string, body: Record<string, unknown> = {}, onLine?: (line: string) => void): Promise<unknown> {
  const info = controlInfo(opts);
  if (!info) return undefined;
  if (opts.lane) body.lane = opts.lane;
  let res: Response;
  try {
    res = await fetch(`${info.url}/sim/${action}`, { method: 'POST', headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (err) {
    console.error(`gate sim: the simulation at ${info.url} does not answer (${(err as Error).message}). Is it still running?`);
    process.exitCode = 1;
    return undefined;
  }
  if (onLine && res.ok && res.body) {
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString('utf8');
      let i = buf.indexOf('\n');
      while (i >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
        i = buf.indexOf('\n');
      }
    }
    if (buf) onLine(buf);
    return undefined;
  }
  const out = (await res.json()) as { error?: string };
  if (!res.ok) {
    console.error(`gate sim ${action}: ${out.error ?? res.statusText}`);
    process.exitCode = res.status === 400 ? 2 : 1;
    return undefined;
  }
  return out;
}

type Outcome = { decided?: { subject: string | null; words: { zh: string; en: string } }; waiting?: { prompt: { zh: string; en: string } }; declaration?: { ok: boolean; words: { zh: string; en: string } } };

/** The acknowledgement, then the decision it led to in words (or what the lane waits for next). */
function say(ack: string, out: unknown): void {
  if (!out) return;
  console.log(ack);
  const o = out as Outcome;
  if (o.decided) console.log(`→ ${o.decided.words.zh} / ${o.decided.words.en}${o.decided.subject ? `  [${o.decided.subject}]` : ''}`);
  else if (o.waiting) console.log(`… 等待 waiting: ${o.waiting.prompt.zh} / ${o.waiting.prompt.en}`);
  else if (o.declaration) console.log(`${o.declaration.ok ? '→ 健康申报 declaration' : '✗ 申报码无效 declaration refused'}: ${o.declaration.words.zh} / ${o.declaration.words.en}`);
}

const withLane = (c: Command) => c.option('-c, --config <file>', 'the configuration the daemon runs with (to find its data folder)').option('-l, --lane <id>', 'lane id (default: the first lane)');

export function register(program: Command): void {
  const sim = program.command('sim').description('Drive a running simulation: scan a card, measure, show a mask or a health code, unplug a device, play a scenario');

  withLane(sim.command('state').description('Lanes, devices, MQTT link, today\'s counts and what the loudspeaker said last, as JSON')).action(async (opts: SimOpts) => {
    const out = await call(opts, 'state');
    if (out) console.log(JSON.stringify(out, null, 2));
  });

  withLane(
    sim
      .command('scan')
      .description('A scan on the lane\'s scanner: a card id from demo-cards.txt, or raw text (a GP1 token, a GD1 health-declaration code, an ID number, VIS:<visitor id>)')
      .argument('<what>', 'card id or scanned text')
      .option('--in', 'entering (on a two-way lane)')
      .option('--out', 'leaving (on a two-way lane)'),
  ).action(async (what: string, opts: SimOpts & { in?: boolean; out?: boolean }) => {
    const raw = what.startsWith('GP1.') || what.startsWith('GD1.') || what.includes(':') || looksLikeResidentId(what);
    const direction = opts.out ? 'out' : opts.in ? 'in' : undefined;
    say('scanned', await call(opts, 'scan', { ...(raw ? { text: what } : { card: what }), ...(direction ? { direction } : {}) }));
  });

  withLane(sim.command('temp').alias('temperature').description('A forehead reading on the lane\'s thermometer').argument('<celsius>', 'e.g. 36.6').option('--operator', 'typed by the volunteer from a handheld gun')).action(
    async (celsius: string, opts: SimOpts & { operator?: boolean }) => {
      say(`measured ${celsius} ℃`, await call(opts, 'temperature', { celsius: Number(celsius), source: opts.operator ? 'operator' : 'device' }));
    },
  );

  withLane(sim.command('mask').description('The mask detector sees a mask (or not)').argument('[worn]', 'yes or no', 'yes')).action(async (worn: string, opts: SimOpts) => {
    const w = !/^(no|n|false|0|否)$/i.test(worn);
    say(w ? 'mask worn' : 'no mask', await call(opts, 'mask', { worn: w }));
  });

  withLane(sim.command('colour').alias('color').description('The volunteer taps the health-code colour seen on the phone').argument('<colour>', 'green, yellow or red')).action(async (colour: string, opts: SimOpts) => {
    say(`health code ${colour}`, await call(opts, 'colour', { colour }));
  });

  withLane(sim.command('press').description('Press (or release with --release) the exit button or the door contact').argument('[signal]', 'exit-button or door-contact', 'exit-button').option('--release', 'release instead')).action(
    async (signal: string, opts: SimOpts & { release?: boolean }) => {
      if (await call(opts, 'press', { signal, active: !opts.release })) console.log(`${signal} ${opts.release ? 'released' : 'pressed'}`);
    },
  );

  for (const action of ['unplug', 'replug'] as const) {
    withLane(sim.command(action).description(action === 'unplug' ? 'Pull a device out (it goes "disconnected" and raises an alert)' : 'Plug a device back in').argument('<device>', 'device id, e.g. scanner-1')).action(async (device: string, opts: SimOpts) => {
      if (await call(opts, action, { device })) console.log(`${device} ${action}ged`);
    });
  }

  withLane(
    sim
      .command('play')
      .description('Play a scenario file (docs/scenarios.md) into the running gate; prints one JSON line per decided passage')
      .argument('<file>', 'scenario YAML, e.g. scenarios/02-fever-remeasure.yaml')
      .option('--speed <n>', 'scenario seconds per real second', '1')
      .option('--max-gap <ms>', 'longest real wait between two events', '3000'),
  ).action(async (file: string, opts: SimOpts & { speed: string; maxGap: string }) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      console.error(`gate sim play: cannot read ${file}: ${(err as Error).message}`);
      process.exitCode = 2;
      return;
    }
    await call(opts, 'play', { scenario: text, speed: Number(opts.speed), maxGapMs: Number(opts.maxGap) }, (line) => {
      if (!line) return;
      const obj = JSON.parse(line) as { error?: string; note?: string };
      if (obj.error) {
        console.error(`gate sim play: ${obj.error}`);
        process.exitCode = 1;
      } else if (obj.note) console.error(`note: ${obj.note}`);
      else console.log(line);
    });
  });
}
