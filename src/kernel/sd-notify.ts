// systemd notify protocol (sd_notify(3)): datagrams to $NOTIFY_SOCKET. Node has no AF_UNIX
// datagram sockets, so unix-dgram (as zigbee2mqtt does) sends them. A no-op without NOTIFY_SOCKET.
import { createRequire } from 'node:module';

export interface Notifier {
  readonly enabled: boolean;
  ready(status?: string): void;
  watchdog(): void;
  stopping(status?: string): void;
  status(text: string): void;
  close(): void;
}

export type NotifySender = (message: string) => void;

interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  close(): void;
}

function unixDgramSender(socketPath: string): { send: NotifySender; close(): void } {
  const require = createRequire(import.meta.url);
  const { createSocket } = require('unix-dgram') as { createSocket(type: 'unix_dgram'): UnixDgramSocket };
  const socket = createSocket('unix_dgram');
  socket.on('error', () => {});
  // An abstract socket is given as "@name" and addressed with a leading NUL.
  const path = socketPath.startsWith('@') ? `\0${socketPath.slice(1)}` : socketPath;
  return {
    send(message) {
      const buf = Buffer.from(message);
      socket.send(buf, 0, buf.length, path, () => {});
    },
    close: () => socket.close(),
  };
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env, sender?: NotifySender): Notifier {
  const socketPath = env.NOTIFY_SOCKET;
  let close = () => {};
  let out: NotifySender = () => {};
  if (sender) out = socketPath ? sender : () => {};
  else if (socketPath) {
    const s = unixDgramSender(socketPath);
    out = s.send;
    close = s.close;
  }
  return {
    enabled: Boolean(socketPath),
    ready: (status) => out(`READY=1${status ? `\nSTATUS=${status}` : ''}`),
    watchdog: () => out('WATCHDOG=1'),
    stopping: (status) => out(`STOPPING=1${status ? `\nSTATUS=${status}` : ''}`),
    status: (text) => out(`STATUS=${text}`),
    close,
  };
}

/** Half of WATCHDOG_USEC in ms, or undefined when the watchdog is off or meant for another PID. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 1000 / 2));
}
