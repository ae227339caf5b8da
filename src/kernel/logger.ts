// pino: JSON lines to stdout for journald; pretty when a person runs it in a terminal.
// Personal fields are redacted by configuration (logging.redact), not by habit.
import pino, { type Logger } from 'pino';

export interface LoggingOptions {
  level: string;
  /** Human-readable logs; default: when stdout is a terminal. */
  pretty?: boolean | undefined;
  /** pino paths replaced by [redacted]. */
  redact: string[];
}

export function createLogger(logging: LoggingOptions, opts: { destination?: NodeJS.WritableStream; isTTY?: boolean } = {}): Logger {
  const pretty = logging.pretty ?? opts.isTTY ?? process.stdout.isTTY === true;
  const options: pino.LoggerOptions = {
    level: logging.level,
    redact: { paths: logging.redact, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(options, opts.destination as pino.DestinationStream);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(options, pino.destination({ fd: 1, sync: false }));
}
