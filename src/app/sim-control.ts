// The simulator control: a loopback HTTP endpoint, only in simulation, through which `gate sim …`
// (or a test) scans a card, measures a forehead, shows a mask or a health code, presses the exit
// button, unplugs a device, or plays a scenario into the running daemon. Its address and a random
// token are written to <dataDir>/sim-control.json (mode 0600); requests without the token are refused.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { GateKeySet } from '../cards/gate-setup.js';
import type { DeviceManager } from '../devices/index.js';
import type { GateInput } from '../gate/contract.js';
import { parseScenario, ScenarioError } from '../gate/scenario/parse.js';
import { passageSummary } from '../gate/scenario/run.js';
import type { Ledger } from '../store/api.js';
import { cardToken } from './demo.js';
import type { AppContext } from './context.js';
import type { GateRuntime } from '../runtime/gate-runtime.js';
import { isDeviceInput, playScenarioLive } from './scenario-live.js';
import type { SimDevices } from './sim-devices.js';

export const SIM_CONTROL_FILE = 'sim-control.json';
const MAX_BODY = 1_000_000;

export interface SimControlInfo {
  url: string;
  token: string;
  kioskUrl: string;
  brokerUrl: string;
  pid: number;
}

export interface SimControlServer {
  info: SimControlInfo;
  close(): Promise<void>;
}

export interface SimControlOptions {
  ctx: AppContext;
  runtime: GateRuntime;
  devices: DeviceManager;
  ledger: Ledger;
  keys: GateKeySet;
  kioskUrl: string;
  brokerUrl: string;
  /** Pseudo-terminal device simulators standing in for the lane's scanner and thermometer. */
  simDevices?: SimDevices;
}

class BadRequest extends Error {}

export async function startSimControl(o: SimControlOptions): Promise<SimControlServer> {
  const { ctx, runtime, devices, ledger, keys } = o;
  const token = randomBytes(18).toString('base64url');
  const lanes = ctx.config.lanes;
  const defaultLane = lanes[0]?.id ?? 'main';
  const laneOf = (b: Record<string, unknown>) => {
    const lane = typeof b.lane === 'string' ? b.lane : defaultLane;
    if (!lanes.some((l) => l.id === lane)) throw new BadRequest(`No lane "${lane}"; lanes: ${lanes.map((l) => l.id).join(', ')}`);
    return lane;
  };

  /**
   * Device inputs go through the lane's simulated devices when it has them: bytes on a pseudo-terminal
   * for the real serial drivers, or the in-process mocks (framing, dedupe, calibration either way).
   */
  async function deliver(input: GateInput): Promise<void> {
    const pty = o.simDevices;
    if (pty && input.type === 'scan') {
      const scanner = pty.find({ lane: input.lane, kind: 'scanner' });
      if (scanner) {
        // A serial scanner sends only the code: the direction is the volunteer's choice on a two-way lane.
        if (input.direction) runtime.input({ type: 'direction', lane: input.lane, direction: input.direction });
        return scanner.sendScan(input.text).catch((err: Error) => {
          throw new BadRequest(err.message);
        });
      }
    }
    if (pty && input.type === 'temperature' && input.source === 'device') {
      const thermometer = pty.find({ lane: input.lane, kind: 'line-thermometer' });
      if (thermometer) {
        return thermometer.sendTemperature(input.celsius).catch((err: Error) => {
          throw new BadRequest(err.message);
        });
      }
    }
    const mock = devices.mock;
    try {
      if (mock && input.type === 'scan') return mock.scan(input.lane, input.text, input.direction);
      if (mock && input.type === 'temperature' && input.source === 'device') return mock.temperature(input.lane, input.celsius);
      if (mock && input.type === 'mask' && input.source === 'sensor') return mock.mask(input.lane, input.worn);
    } catch {
      // The lane has no mock device of that kind (real or pseudo-terminal devices): feed the gate directly.
    }
    if (isDeviceInput(input)) ctx.bus.emit('device.input', input);
    else runtime.input(input);
  }

  function scanText(b: Record<string, unknown>): string {
    if (typeof b.card === 'string') {
      const card = ledger.cards({ includeRevoked: true }).find((c) => c.id === b.card);
      if (!card) throw new BadRequest(`No pass card "${b.card}" on the roster (see demo-cards.txt)`);
      return cardToken(card, ctx.config.site.id, keys);
    }
    if (typeof b.text === 'string' && b.text.length > 0) return b.text;
    throw new BadRequest('scan needs "card" (a card id) or "text" (what the scanner reads)');
  }

  const num = (v: unknown, name: string) => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) throw new BadRequest(`${name} must be a number`);
    return n;
  };
  const dir = (v: unknown) => (v === 'in' || v === 'out' ? v : undefined);

  async function handle(action: string, b: Record<string, unknown>, res: ServerResponse): Promise<unknown> {
    switch (action) {
      case 'state':
        return { lanes: runtime.lanes(), devices: devices.health(), sync: runtime.sync(), counts: ledger.todayCounts() };
      case 'scan': {
        const d = dir(b.direction);
        await deliver({ type: 'scan', lane: laneOf(b), text: scanText(b), ...(d ? { direction: d } : {}) });
        return { ok: true };
      }
      case 'temperature':
        await deliver({ type: 'temperature', lane: laneOf(b), celsius: num(b.celsius, 'celsius'), source: b.source === 'operator' ? 'operator' : 'device' });
        return { ok: true };
      case 'mask':
        await deliver({ type: 'mask', lane: laneOf(b), worn: b.worn !== false, source: b.source === 'operator' ? 'operator' : 'sensor' });
        return { ok: true };
      case 'colour': {
        const c = b.colour;
        if (c !== 'green' && c !== 'yellow' && c !== 'red') throw new BadRequest('colour must be green, yellow or red');
        await deliver({ type: 'colour', lane: laneOf(b), colour: c, source: 'operator' });
        return { ok: true };
      }
      case 'press': {
        const signal = b.signal === 'door-contact' ? 'door-contact' : 'exit-button';
        if (!devices.mock) throw new BadRequest('No mock GPIO in this configuration');
        devices.mock.press(laneOf(b), signal, b.active !== false);
        return { ok: true };
      }
      case 'unplug':
      case 'replug': {
        if (typeof b.device !== 'string') throw new BadRequest(`${action} needs "device" (a device id)`);
        const ptyDevice = o.simDevices?.find({ id: b.device });
        if (ptyDevice) {
          await ptyDevice[action]();
          return { ok: true };
        }
        if (!devices.mock) throw new BadRequest('No mock devices in this configuration');
        try {
          devices.mock[action](b.device);
        } catch (err) {
          throw new BadRequest((err as Error).message);
        }
        return { ok: true };
      }
      case 'play': {
        if (typeof b.scenario !== 'string') throw new BadRequest('play needs "scenario" (the YAML text)');
        let parsed: ReturnType<typeof parseScenario>;
        try {
          parsed = parseScenario(b.scenario);
        } catch (err) {
          throw new BadRequest(err instanceof ScenarioError ? err.problems.join('\n') : (err as Error).message);
        }
        // Streams one JSON line per decided passage while the scenario plays.
        res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
        const write = (obj: unknown) => res.write(`${JSON.stringify(obj)}\n`);
        const off = ctx.bus.on('passage.decided', ({ passage }) => write(passageSummary(passage)));
        const abort = new AbortController();
        res.on('close', () => abort.abort());
        try {
          const r = await playScenarioLive({
            parsed,
            ledger,
            keys,
            site: ctx.config.site.id,
            defaultLane,
            slipPrefix: ctx.config.rules.visitorSlipPrefix,
            speed: b.speed === undefined ? 1 : num(b.speed, 'speed'),
            ...(b.maxGapMs !== undefined ? { maxGapMs: num(b.maxGapMs, 'maxGapMs') } : {}),
            // Straight to the gate, past the scanner's re-read filter: a scenario compresses time,
            // and the same card scanned twice in a scenario minute is two passages.
            deliver: (input) => (isDeviceInput(input) ? ctx.bus.emit('device.input', input) : runtime.input(input)),
            onNote: (note) => write({ note }),
            signal: abort.signal,
          });
          // Let the last passage finish deciding (a lane may still be waiting on a timer), then let
          // its commit reach the disk: the decided line is written after the sync, which a busy
          // disk can hold for longer than that.
          await new Promise((r) => setTimeout(r, 200));
          await runtime.settled();
          write({ done: true, events: r.events });
        } catch (err) {
          write({ error: (err as Error).message });
        } finally {
          off();
          res.end();
        }
        return undefined;
      }
      default:
        throw new BadRequest(`Unknown action "${action}"; try state, scan, temperature, mask, colour, press, unplug, replug, play`);
    }
  }

  const server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      if (res.headersSent) return void res.end();
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'missing or wrong token (read sim-control.json)' });
      const action = (req.url ?? '').replace(/^\/sim\//, '').replace(/[?#].*$/, '');
      let raw = '';
      for await (const chunk of req) {
        raw += chunk;
        if (raw.length > MAX_BODY) return send(413, { error: 'request too large' });
      }
      let body: Record<string, unknown> = {};
      if (raw) {
        try {
          const v = JSON.parse(raw) as unknown;
          if (typeof v === 'object' && v !== null && !Array.isArray(v)) body = v as Record<string, unknown>;
          else throw new Error('not an object');
        } catch {
          return send(400, { error: 'the body must be a JSON object' });
        }
      }
      const out = await handle(action, body, res);
      if (out !== undefined) send(200, out);
    } catch (err) {
      if (err instanceof BadRequest) return send(400, { error: err.message });
      ctx.logger.error({ err }, 'simulator control failed');
      send(500, { error: (err as Error).message });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const info: SimControlInfo = { url: `http://127.0.0.1:${port}`, token, kioskUrl: o.kioskUrl, brokerUrl: o.brokerUrl, pid: process.pid };
  const file = join(ctx.dataDir, SIM_CONTROL_FILE);
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return {
    info,
    async close() {
      rmSync(file, { force: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
