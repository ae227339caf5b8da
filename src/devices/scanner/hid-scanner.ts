// A USB-HID keyboard-wedge scanner read from /dev/input/event*, exclusively grabbed.
import { existsSync } from 'node:fs';
import type { DriverEvents, ScanFrame, ScannerDriver } from '../types.js';
import { InputEventReader, KeyDecoder, nativeEventSize } from './hid-decode.js';
import { type GrabProcess, startGrab } from './hid-grab.js';

export interface HidScannerOptions {
  path: string;
  grabCommand: string;
  suffix: 'CR' | 'LF' | 'CRLF' | 'timeout';
  interByteTimeoutMs: number;
  maxLength: number;
  eventSize?: 16 | 24;
}

export function createHidScanner(options: HidScannerOptions): ScannerDriver {
  let child: GrabProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    present: () => existsSync(options.path),
    async open(events: DriverEvents<ScanFrame>) {
      const reader = new InputEventReader(options.eventSize ?? nativeEventSize());
      const keys = new KeyDecoder();
      const p = await startGrab({ path: options.path, command: options.grabCommand, onLost: (reason) => events.lost(reason) });
      child = p;
      const emit = (text: string | undefined): void => {
        if (text !== undefined) events.data(text.length > options.maxLength ? { overflow: text.length } : { bytes: text });
      };
      p.stdout.on('data', (chunk: Buffer) => {
        for (const ev of reader.push(chunk)) emit(keys.push(ev));
        if (timer) clearTimeout(timer);
        // Enter always ends a scan; with suffix "timeout" a pause between keys ends one too.
        if (options.suffix === 'timeout' && keys.pending > 0) timer = setTimeout(() => emit(keys.take()), options.interByteTimeoutMs);
      });
    },
    async close() {
      if (timer) clearTimeout(timer);
      const p = child;
      child = undefined;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      p.removeAllListeners('exit');
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.stdin.end();
        p.kill('SIGTERM');
      });
    },
  };
}
