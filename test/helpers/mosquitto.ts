// A real Mosquitto for integration tests: a generated CA and server certificate (openssl), a
// password file (mosquitto_passwd), an ACL confining each gate to its own topics, on a free
// loopback port. stop()/start() simulate an outage; persistence keeps sessions across it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { freePort, waitForPort } from '../../bench/broker.js';
import { type AccessPolicy, mosquittoAcl } from '../../src/sync/access.js';

export interface TestBroker {
  name: string;
  url: string;
  port: number;
  /** CA file the gate's mqtt.tls.ca names (TLS brokers only). */
  caFile?: string;
  /** Client options (credentials, CA) for a gate or the hub user. */
  options(user: string): Partial<IClientOptions>;
  /** Stop accepting and drop every connection (an outage); sessions and retained messages survive. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function need(tool: string, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`This test needs "${tool}" (Debian package ${tool === 'openssl' ? 'openssl' : 'mosquitto'}); run scripts/test-deps.mjs`);
  }
}

export { freePort };

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate signed by it. */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string; clientCert: string; clientKey: string } {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test village CA', '-keyout', 'ca.key', '-out', 'ca.crt']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt']);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=gate-client', '-keyout', 'client.key', '-out', 'client.csr']);
  openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'client.crt']);
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), clientCert: join(dir, 'client.crt'), clientKey: join(dir, 'client.key') };
}

export interface MosquittoOptions {
  root?: string;
  site?: string;
  /** Gate user names (= gate ids); each may write only under <root>/v1/<site>/<gate>/. */
  gates: string[];
  /** Require a client certificate as well as the password. */
  requireCertificate?: boolean;
  /** Messages queued per persistent session before Mosquitto drops new ones (default 0: no limit). */
  maxQueued?: number;
  /** Extra lines of mosquitto.conf (a bridge). */
  extraConfig?: string[];
}

export const PASSWORD = 'test-password-Δ1';

/** The hub user, an admin (sees everything: the tests' recorder) and one user per gate, all with PASSWORD. */
export function accessPolicy(o: MosquittoOptions): AccessPolicy {
  const users: AccessPolicy['users'] = { hub: { password: PASSWORD, role: 'hub' }, admin: { password: PASSWORD, role: 'admin' } };
  for (const g of o.gates) users[g] = { password: PASSWORD, role: { gate: g } };
  return { root: o.root ?? 'checkpoint', site: o.site ?? 'test-site', users };
}

export async function startMosquitto(o: MosquittoOptions): Promise<TestBroker & { dir: string; certs: ReturnType<typeof makeCertificates>; log(): string }> {
  need('mosquitto', ['-h']);
  need('openssl', ['version']);
  const dir = mkdtempSync(join(tmpdir(), 'mosq-'));
  const certs = makeCertificates(dir);
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, '');
  for (const user of ['hub', 'admin', ...o.gates]) execFileSync('mosquitto_passwd', ['-b', passwd, user, PASSWORD], { stdio: 'pipe' });
  writeFileSync(join(dir, 'acl'), mosquittoAcl(accessPolicy(o)));
  const port = await freePort();
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `user ${userInfo().username}`,
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 0',
      // The hub's persistent session must hold a whole outage's backlog.
      `max_queued_messages ${o.maxQueued ?? 0}`,
      'max_inflight_messages 100',
      `listener ${port} 127.0.0.1`,
      `cafile ${certs.ca}`,
      `certfile ${certs.cert}`,
      `keyfile ${certs.key}`,
      `require_certificate ${o.requireCertificate ? 'true' : 'false'}`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      ...(o.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    const p = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    proc = p;
    const exited = new Promise<never>((_, reject) => p.once('exit', (code) => reject(new Error(`mosquitto exited (${code}) at start: ${log.slice(-2000)}`))));
    await Promise.race([waitForPort(port, 10_000), exited]);
  };
  const stop = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    proc = undefined;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  };
  await start();
  const ca = readFileSync(certs.ca);
  return {
    name: 'mosquitto',
    url: `mqtts://127.0.0.1:${port}`,
    port,
    caFile: certs.ca,
    dir,
    certs,
    log: () => log,
    options: (user) => {
      const opts: Partial<IClientOptions> = { username: user, password: PASSWORD, ca, rejectUnauthorized: true };
      if (o.requireCertificate) {
        opts.cert = readFileSync(certs.clientCert);
        opts.key = readFileSync(certs.clientKey);
      }
      return opts;
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
