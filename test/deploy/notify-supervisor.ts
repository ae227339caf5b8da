// A small stand-in for systemd's service manager, faithful to what our unit asks of it:
// Type=notify (a start completes on READY=1 within TimeoutStartSec), WatchdogSec (armed when the
// start completes, as systemd.service(5) says, re-armed by each WATCHDOG=1; WATCHDOG=trigger fires
// it at once; on expiry the main process gets WatchdogSignal), Restart=on-failure after RestartSec
// (a watchdog kill, an unclean signal or a non-zero exit restart; exit 0 and SIGTERM/SIGINT/
// SIGHUP/SIGPIPE do not). Messages arrive as datagrams on $NOTIFY_SOCKET like systemd's.
// Not reproduced: NotifyAccess=main's sender PID check (unix-dgram gives no SCM_CREDENTIALS).
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface UnitTimes {
  watchdogMs: number;
  restartMs: number;
  timeoutStartMs: number;
  watchdogSignal: NodeJS.Signals;
  restart: string;
}

/** The service section of a unit file, as key → last value. */
export function parseUnit(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const hit = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (hit?.[1]) m.set(hit[1], hit[2] ?? '');
  }
  return m;
}

export type SupervisorEvent =
  | { type: 'spawn'; at: number; pid: number }
  | { type: 'ready'; at: number; pid: number; status?: string }
  | { type: 'watchdog'; at: number; pid: number }
  | { type: 'watchdog-timeout'; at: number; pid: number }
  | { type: 'start-timeout'; at: number; pid: number }
  | { type: 'kill'; at: number; pid: number; signal: NodeJS.Signals }
  | { type: 'exit'; at: number; pid: number; code: number | null; signal: NodeJS.Signals | null; result: string }
  | { type: 'stopping'; at: number; pid: number };

interface DgramSocket {
  bind(path: string): void;
  on(event: 'listening' | 'error', cb: (err?: Error) => void): void;
  close(): void;
}

export interface SupervisorOptions {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  times: UnitTimes;
  /** Directory for the notify socket. */
  runDir: string;
}

export class NotifySupervisor {
  readonly events: SupervisorEvent[] = [];
  child: ChildProcess | undefined;
  private output = '';
  private outputs: string[] = [];
  private socket: DgramSocket | undefined;
  private readonly socketPath: string;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private result = 'success';
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly o: SupervisorOptions) {
    this.socketPath = join(o.runDir, 'notify.sock');
  }

  async start(): Promise<void> {
    const require = createRequire(import.meta.url);
    const { createSocket } = require('unix-dgram') as { createSocket(type: 'unix_dgram', cb: (msg: Buffer) => void): DgramSocket };
    const socket = createSocket('unix_dgram', (msg) => this.onMessage(msg.toString()));
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.on('listening', () => resolve());
      socket.on('error', (err) => reject(err ?? new Error('notify socket error')));
      socket.bind(this.socketPath);
    });
    // Like /run/systemd/notify: a service running as another user must be able to send.
    chmodSync(this.socketPath, 0o777);
    this.spawn();
  }

  /** Output of the current (last started) process. */
  currentOutput(): string {
    return this.output;
  }

  allOutput(): string {
    return [...this.outputs, this.output].join('\n---- restart ----\n');
  }

  private push(e: SupervisorEvent): void {
    this.events.push(e);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private spawn(): void {
    if (this.stopped) return;
    if (this.output) this.outputs.push(this.output);
    this.output = '';
    this.result = 'success';
    const child = spawn(this.o.command, this.o.args, {
      cwd: this.o.cwd,
      env: { ...process.env, ...this.o.env, NOTIFY_SOCKET: this.socketPath, WATCHDOG_USEC: String(this.o.times.watchdogMs * 1000) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const pid = child.pid ?? -1;
    child.stdout?.on('data', (d: Buffer) => {
      if (this.child === child) this.output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (this.child === child) this.output += d.toString();
    });
    child.once('exit', (code, signal) => this.onExit(child, pid, code, signal));
    this.push({ type: 'spawn', at: performance.now(), pid });
    this.startTimer = setTimeout(() => {
      this.push({ type: 'start-timeout', at: performance.now(), pid });
      this.result = 'timeout';
      this.kill('SIGTERM');
    }, this.o.times.timeoutStartMs);
  }

  private onMessage(text: string): void {
    const pid = this.child?.pid ?? -1;
    const fields = new Map(text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
    if (fields.get('READY') === '1') {
      clearTimeout(this.startTimer);
      this.push({ type: 'ready', at: performance.now(), pid, ...(fields.has('STATUS') ? { status: fields.get('STATUS') } : {}) });
      this.armWatchdog();
    }
    if (fields.get('WATCHDOG') === '1') {
      this.push({ type: 'watchdog', at: performance.now(), pid });
      if (this.watchdogTimer) this.armWatchdog();
    }
    if (fields.get('WATCHDOG') === 'trigger') this.watchdogExpired();
    if (fields.get('STOPPING') === '1') this.push({ type: 'stopping', at: performance.now(), pid });
  }

  private armWatchdog(): void {
    clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => this.watchdogExpired(), this.o.times.watchdogMs);
  }

  private watchdogExpired(): void {
    clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
    this.push({ type: 'watchdog-timeout', at: performance.now(), pid: this.child?.pid ?? -1 });
    this.result = 'watchdog';
    this.kill(this.o.times.watchdogSignal);
  }

  private kill(signal: NodeJS.Signals): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.push({ type: 'kill', at: performance.now(), pid: child.pid ?? -1, signal });
    child.kill(signal);
  }

  private onExit(child: ChildProcess, pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.watchdogTimer);
    clearTimeout(this.startTimer);
    this.watchdogTimer = undefined;
    let result = this.result;
    if (result === 'success') {
      if (signal && !['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'].includes(signal)) result = 'signal';
      else if (code !== null && code !== 0) result = 'exit-code';
    }
    this.push({ type: 'exit', at: performance.now(), pid, code, signal, result });
    if (this.child !== child || this.stopped) return;
    if (this.o.times.restart === 'on-failure' && result !== 'success') {
      this.restartTimer = setTimeout(() => this.spawn(), this.o.times.restartMs);
    }
  }

  /** Resolves with the first event (after `from`, an index into events) matching; rejects past `limitMs`. */
  waitFor<T extends SupervisorEvent['type']>(type: T, limitMs: number, match: (e: Extract<SupervisorEvent, { type: T }>) => boolean = () => true, from = 0): Promise<Extract<SupervisorEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const find = () => this.events.slice(from).find((e): e is Extract<SupervisorEvent, { type: T }> => e.type === type && match(e as Extract<SupervisorEvent, { type: T }>));
      const timer = setTimeout(() => {
        reject(new Error(`no "${type}" event within ${limitMs} ms; events: ${JSON.stringify(this.events.slice(from).map((e) => e.type))}\n${this.allOutput().slice(-3000)}`));
      }, limitMs);
      const check = () => {
        const e = find();
        if (e) {
          clearTimeout(timer);
          resolve(e);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Stops supervising: no restart, the process is killed (SIGCONT first, in case it is stopped). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.watchdogTimer);
    clearTimeout(this.startTimer);
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 5000))]);
    }
    this.socket?.close();
  }
}
