// Ends a frame after a silence (scanners configured without a suffix), like serialport's inter-byte-timeout parser.
import { Transform, type TransformCallback } from 'node:stream';
import type { Frame } from './frame.js';

export class InterByteTimeoutParser extends Transform {
  private buf: Buffer[] = [];
  private length = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { intervalMs: number; maxLength: number }) {
    super({ readableObjectMode: true });
    if (!(options.intervalMs > 0)) throw new Error(`"intervalMs" must be a positive number: ${options.intervalMs}`);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.timer) clearTimeout(this.timer);
    // Past the limit only the count is kept, so a chattering device cannot grow memory.
    if (this.length + chunk.length <= this.options.maxLength) this.buf.push(chunk);
    this.length += chunk.length;
    this.timer = setTimeout(() => this.emitFrame(), this.options.intervalMs);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.emitFrame();
    cb();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    cb(err);
  }

  private emitFrame(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.length === 0) return;
    const frame: Frame = this.length > this.options.maxLength ? { type: 'overflow', length: this.length } : { type: 'frame', bytes: Buffer.concat(this.buf) };
    this.buf = [];
    this.length = 0;
    this.push(frame);
  }
}
