// GPIO with Debian's libgpiod v2 tools, for kernels without sysfs GPIO: one `gpioset -i` holds the outputs
// (commands on its stdin), one `gpiomon` reports input edges. No native addon needed.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { GpioConfig } from '../config.js';
import type { DriverEvents, GpioDriver, GpioInputName, GpioOutputName } from '../types.js';
import { configuredInputs, configuredOutputs, level } from './lines.js';

const run = promisify(execFile);

export interface GpiodTools {
  gpioset: string;
  gpioget: string;
  gpiomon: string;
  gpiodetect: string;
}
export const DEFAULT_GPIOD_TOOLS: GpiodTools = { gpioset: 'gpioset', gpioget: 'gpioget', gpiomon: 'gpiomon', gpiodetect: 'gpiodetect' };

/** `gpiodetect` prints e.g. "gpiochip0 [pinctrl-bcm2711] (58 lines)". */
export function chipFromDetect(output: string, label: string): string | undefined {
  for (const line of output.split('\n')) {
    const m = /^(\S+)\s+\[([^\]]*)\]/.exec(line.trim());
    if (m?.[2] === label) return m[1];
  }
  return undefined;
}

export function createGpiodGpio(options: { config: GpioConfig; tools?: Partial<GpiodTools> }): GpioDriver {
  const cfg = options.config;
  const tools = { ...DEFAULT_GPIOD_TOOLS, ...options.tools };
  const outs = new Map<GpioOutputName, { line: number; activeLow: boolean }>();
  const children: ChildProcess[] = [];
  let setter: ChildProcess | undefined;
  let closing = false;

  const needTool = (tool: string) => (err: unknown) => {
    throw new Error(`${tool} failed: ${(err as Error).message}. Install Debian's "gpiod" package (libgpiod v2 tools)`);
  };

  return {
    present: () => (cfg.gpiodChip?.startsWith('/') ? existsSync(cfg.gpiodChip) : true),
    async open(events: DriverEvents<{ input: GpioInputName; active: boolean }>) {
      closing = false;
      const chip = cfg.gpiodChip ?? chipFromDetect((await run(tools.gpiodetect, []).catch(needTool(tools.gpiodetect))).stdout, cfg.chipLabel);
      if (!chip) throw new Error(`No gpiochip labelled "${cfg.chipLabel}" in gpiodetect's list; set gpio.chipLabel or gpio.gpiodChip`);
      const lost = (tool: string) => (code: number | null) => {
        if (!closing) events.lost(`${tool} ended (code ${code})`, 'faulty');
      };
      const outputs = configuredOutputs(cfg);
      if (outputs.length) {
        for (const [name, l] of outputs) outs.set(name, { line: l.line, activeLow: l.activeLow });
        const args = ['-c', chip, '-i', ...outputs.map(([, l]) => `${l.line}=${level(false, l.activeLow)}`)];
        setter = spawn(tools.gpioset, args, { stdio: ['pipe', 'ignore', 'pipe'] });
        children.push(setter);
        await spawned(setter, tools.gpioset);
        setter.on('exit', lost(tools.gpioset));
      }
      const inputs = configuredInputs(cfg);
      if (inputs.length) {
        const offsets = inputs.map(([, l]) => String(l.line));
        const initial = await run(tools.gpioget, ['-c', chip, '--numeric', ...offsets]).catch(needTool(tools.gpioget));
        const values = initial.stdout.trim().split(/\s+/);
        inputs.forEach(([name, l], i) => {
          events.data({ input: name, active: Number(values[i]) === level(true, l.activeLow) });
        });
        const mon = spawn(tools.gpiomon, ['-c', chip, '-e', 'both', '--format', '%o %E', ...offsets], { stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(mon);
        await spawned(mon, tools.gpiomon);
        mon.on('exit', lost(tools.gpiomon));
        createInterface({ input: mon.stdout as NodeJS.ReadableStream }).on('line', (text) => {
          const [offset, edge] = text.trim().split(/\s+/);
          const found = inputs.find(([, l]) => String(l.line) === offset);
          if (!found || (edge !== 'rising' && edge !== 'falling')) {
            events.warning('gpio.read', { zh: `gpiomon 输出无法识别：${text.slice(0, 40)}`, en: `gpiomon output not understood: ${text.slice(0, 40)}` });
            return;
          }
          events.data({ input: found[0], active: (edge === 'rising' ? 1 : 0) === level(true, found[1].activeLow) });
        });
      }
    },
    write(output, on) {
      const o = outs.get(output);
      if (o && setter?.stdin?.writable) setter.stdin.write(`set ${o.line}=${level(on, o.activeLow)}\n`);
    },
    async close() {
      closing = true;
      if (setter?.stdin?.writable) setter.stdin.write(`set ${[...outs.values()].map((o) => `${o.line}=${level(false, o.activeLow)}`).join(' ')}\n`);
      await Promise.all(children.map(stop));
      children.length = 0;
      setter = undefined;
      outs.clear();
    },
  };
}

function spawned(child: ChildProcess, tool: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) => reject(new Error(`Cannot run ${tool}: ${err.message}. Install Debian's "gpiod" package (libgpiod v2 tools)`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // gpioset -i applies the queued safe-state command and exits on "exit"; the signal is the fallback.
    const t = setTimeout(() => child.kill('SIGTERM'), 500);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    if (child.stdin?.writable) child.stdin.end('exit\n');
    else child.kill('SIGTERM');
  });
}
