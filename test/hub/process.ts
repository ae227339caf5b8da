// `gate hub run` as a real child process (the shipped command), for tests that SIGKILL it.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { GATE_BIN } from '../helpers/daemon.js';
import { PASSWORD, type TestBroker } from '../helpers/mosquitto.js';
import { SITE } from './harness.js';

export interface HubProcess {
  child: ChildProcess;
  apiUrl: string;
  token: string;
  output(): string;
  get<T>(path: string): Promise<T>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function writeHubConfig(dir: string, broker: TestBroker, over: { name?: string; url?: string; sharedGroup?: string; brokerUrl?: string } = {}): string {
  const file = join(dir, `hub-${over.name ?? 'p'}.yaml`);
  const config = {
    hub: { name: over.name ?? 'p', sites: [SITE], storage: { dataDir: join(dir, over.name ?? 'p'), ...(over.url ? { url: over.url } : {}) }, resend: { intervalMs: 300 } },
    mqtt: { url: over.brokerUrl ?? broker.url, username: 'hub', tls: { ca: broker.caFile }, reconnectMs: 200, ...(over.sharedGroup ? { sharedGroup: over.sharedGroup, sessionExpirySeconds: 0 } : {}) },
    api: { port: 0 },
    logging: { level: 'info', pretty: false },
  };
  writeFileSync(file, stringify(config));
  return file;
}

export async function startHubProcess(configFile: string, limitMs = 20_000): Promise<HubProcess> {
  const child = spawn(process.execPath, [GATE_BIN, 'hub', 'run', '--config', configFile], { env: { ...process.env, HUB_MQTT_PASSWORD: PASSWORD, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const { apiUrl, tokenFile } = await new Promise<{ apiUrl: string; tokenFile: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub not ready within ${limitMs} ms:\n${out.slice(-3000)}`));
    }, limitMs);
    const check = () => {
      const m = /API:\s+(http:\/\/\S+)\/api\/v1\/gates\s+token: (\S+)/.exec(out);
      // Ready also means subscribed: a message published before that would be missed, not queued.
      if (m?.[1] && m[2] && /"msg":"subscribed to the gates' topics"/.test(out)) {
        clearTimeout(timer);
        resolve({ apiUrl: m[1], tokenFile: m[2] });
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before it was ready:\n${out.slice(-3000)}`));
    });
  });
  const token = readFileSync(tokenFile.startsWith('/') ? tokenFile : join(process.cwd(), tokenFile), 'utf8').trim();
  return {
    child,
    apiUrl,
    token,
    output: () => out,
    async get<T>(path: string) {
      const res = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return (await res.json()) as T;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
