// The daemon from the outside: started as `gate run`, it serves the kiosk at the URL it prints,
// holds a retained gate state on the broker, takes a passage through the simulator control, and
// stops cleanly on SIGTERM/SIGINT within 5 s, publishing "offline".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../src/sync/broker.js';
import { type RunningDaemon, startDaemon } from '../helpers/daemon.js';

const STATE_TOPIC = 'checkpoint/v1/test-village/east-gate/state';

function retained(url: string, topic: string, want: (m: Record<string, unknown>) => boolean, limitMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 200, connectTimeout: 2000 });
    let last: unknown;
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`no matching message on ${topic} within ${limitMs} ms; last: ${JSON.stringify(last)}`));
    }, limitMs);
    client.on('connect', () => client.subscribe(topic, { qos: 1 }));
    client.on('message', (_t, payload) => {
      last = JSON.parse(payload.toString()) as unknown;
      if (want(last as Record<string, unknown>)) {
        clearTimeout(timer);
        client.end(true);
        resolve(last as Record<string, unknown>);
      }
    });
  });
}

const daemons: RunningDaemon[] = [];
afterAll(async () => {
  for (const d of daemons) await d.stop('SIGKILL').catch(() => {});
});

describe('the daemon (gate run)', () => {
  it('starts in simulation, serves the kiosk, holds a retained online state, takes a passage, and stops on SIGTERM within 5 s', async () => {
    const d = await startDaemon();
    daemons.push(d);
    // The printed kiosk URL answers.
    const health = await fetch(`${d.kioskUrl}/healthz`);
    expect(health.status).toBe(200);
    const page = await fetch(d.kioskUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    // The embedded broker holds the retained gate state within 10 s of start.
    const online = await retained(d.brokerUrl, STATE_TOPIC, (m) => m.status === 'online', 10_000);
    expect(online).toMatchObject({ site: 'test-village', gate: 'east-gate' });
    // Demo cards were written for the newcomer.
    expect(readFileSync(join(d.dir, 'var/demo-cards.txt'), 'utf8')).toMatch(/^hh-001\thousehold\t.+\tGP1\./m);
    // The banner names the exact command to watch this broker, with its port (which may be a fallback).
    expect(d.output()).toContain(`mosquitto_sub -h 127.0.0.1 -p ${new URL(d.brokerUrl).port} -v -t 'checkpoint/#'`);
    // A passage made with the simulator control, as from the README: each step says, in words, what it led to.
    const said: string[] = [];
    for (const args of [['sim', 'scan', 'hh-001', '--in'], ['sim', 'temp', '36.5'], ['sim', 'mask'], ['sim', 'colour', 'green']]) {
      const r = await d.gate(args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
      said.push(r.stdout);
    }
    expect(said[0]).toMatch(/等待 waiting: 请测体温 \/ Please take temperature/);
    expect(said[3]).toMatch(/→ 准予通行（进） \/ Admitted \(in\)\s+\[household hh-001\]/);
    // The simulated village's hub received that passage (what `npm start` prints and a newcomer sees).
    const hubLine = /Hub[^\n]*?(http:\/\/\S+)\/api\/v1\/gates\s+\(token: ([^)\s]+)\)/.exec(d.output());
    expect(hubLine, d.output()).not.toBeNull();
    const hubPassages = async () => {
      const res = await fetch(`${hubLine?.[1]}/api/v1/passages`, { headers: { authorization: `Bearer ${hubLine?.[2]}` } });
      return ((await res.json()) as { items: Array<{ gate: string; direction: string }> }).items;
    };
    await expect.poll(hubPassages, { timeout: 10_000, interval: 200 }).toMatchObject([{ gate: 'east-gate', direction: 'in' }]);
    // The demo declaration (the hub's page beside the gate): its household code opens the registration for both.
    expect(d.output()).toMatch(/健康申报 Declare: http:\/\/127\.0\.0\.1:\d+\//);
    const declared = readFileSync(join(d.dir, 'var/demo-declaration.txt'), 'utf8').split('\n')[3] as string;
    expect(declared).toMatch(/^GD1\./);
    const scanned = await d.gate(['sim', 'scan', declared]);
    expect(scanned.stderr).toBe('');
    expect(scanned.stdout).toMatch(/→ 健康申报 declaration: 健康申报已打开，请核对后登记（2 人）/);
    // A second daemon on the same data is refused: the ledger has one writer.
    await expect(startDaemon({ dir: d.dir, readyTimeoutMs: 8000 })).rejects.toThrow(/exited with 1[\s\S]*Another gate daemon \(pid \d+\) is already running/);
    const state = await d.gate(['sim', 'state']);
    const s = JSON.parse(state.stdout) as { counts: { entries: number }; lanes: Array<{ stage: string }> };
    expect(s.counts.entries).toBe(1);
    expect(s.lanes[0]?.stage).toBe('idle');
    // The scanner and thermometer were pseudo-terminal simulators opened by the real serial drivers.
    expect(d.output()).toContain('device simulators on pseudo-terminals');
    // Polled straight from the simulator control (what `gate sim state` prints), to keep the test quick.
    const control = JSON.parse(readFileSync(join(d.dir, 'var/sim-control.json'), 'utf8')) as { url: string; token: string };
    const deviceState = async (id: string) => {
      const res = await fetch(`${control.url}/sim/state`, { method: 'POST', headers: { authorization: `Bearer ${control.token}` } });
      return ((await res.json()) as { devices: Array<{ id: string; state: string }> }).devices.find((x) => x.id === id)?.state;
    };
    expect(await deviceState('scanner-1')).toBe('connected');
    expect((await d.gate(['sim', 'unplug', 'scanner-1'])).code).toBe(0);
    await expect.poll(() => deviceState('scanner-1'), { timeout: 6000, interval: 300 }).toBe('disconnected');
    expect((await d.gate(['sim', 'replug', 'scanner-1'])).code).toBe(0);
    await expect.poll(() => deviceState('scanner-1'), { timeout: 6000, interval: 300 }).toBe('connected');
    const stopped = await d.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    expect(existsSync(join(d.dir, 'var/sim-control.json'))).toBe(false);
    await expect(fetch(`${d.kioskUrl}/healthz`)).rejects.toThrow();
  }, 90_000);

  it('publishes "offline" to the hub broker when stopped with SIGINT, and the passage is in the ledger after a restart', async () => {
    const hub = await startEmbeddedBroker({ port: 0 });
    try {
      const config = { mqtt: { url: hub.url, embeddedBroker: { enabled: false } }, simulation: true };
      const d = await startDaemon({ config });
      daemons.push(d);
      expect(d.brokerUrl).toBe(hub.url);
      await retained(hub.url, STATE_TOPIC, (m) => m.status === 'online', 10_000);
      const played = await d.gate(['sim', 'play', join(import.meta.dirname, '../../scenarios/01-resident-in-out.yaml'), '--speed', '1000', '--max-gap', '50']);
      expect(played.code, played.stderr).toBe(0);
      const lines = played.stdout.trim().split('\n').map((l) => JSON.parse(l) as { outcome?: string; done?: boolean });
      expect(lines.filter((l) => l.outcome).map((l) => l.outcome)).toEqual(['admitted', 'admitted']);
      expect(lines.at(-1)?.done).toBe(true);
      const stopped = await d.stop('SIGINT');
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(5000);
      const offline = await retained(hub.url, STATE_TOPIC, (m) => m.status === 'offline', 5000);
      expect(offline.gate).toBe('east-gate');
      // Restart on the same data: what was decided is still there.
      const again = await startDaemon({ config, dir: d.dir });
      daemons.push(again);
      const state = JSON.parse((await again.gate(['sim', 'state'])).stdout) as { counts: { entries: number; exits: number } };
      expect(state.counts).toMatchObject({ entries: 1, exits: 1 });
      await again.stop();
    } finally {
      await hub.close();
    }
  }, 90_000);

  it('refuses an invalid configuration with exit code 2, one line per problem, and starts nothing', async () => {
    await expect(startDaemon({ config: { kiosk: { port: 'eighty' }, rules: { feverThreshold: 'hot' }, bogus: 1 }, readyTimeoutMs: 8000 })).rejects.toThrow(/exited with 2[^\n]*\n[^\n]*bogus: unknown option[^\n]*\n[^\n]*rules.feverThreshold: expected a number, found string "hot"\n[^\n]*kiosk.port: expected an integer, found string "eighty"\n$/);
  });
});
