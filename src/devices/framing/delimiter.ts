// Splits a byte stream into frames ended by CR, LF, CRLF or any of CR/LF (serialport parser style).
import { Transform, type TransformCallback } from 'node:stream';
import type { Frame } from './frame.js';

export type LineEnding = 'CR' | 'LF' | 'CRLF' | 'any';

const CR = 0x0d;
const LF = 0x0a;

/** The framing rule without the stream, so tests and property checks can drive it directly. */
export class DelimiterFramer {
  private buf: number[] = [];
  private overflowing = 0;
  private prev = -1;

  constructor(
    private readonly ending: LineEnding,
    private readonly maxLength: number,
  ) {
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`"maxLength" must be a positive integer: ${maxLength}`);
  }

  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    for (const byte of chunk) {
      const end = this.isEnd(byte);
      this.prev = byte;
      if (end) {
        this.finish(out);
        continue;
      }
      if (this.overflowing > 0) {
        this.overflowing++;
        continue;
      }
      this.buf.push(byte);
      if (this.buf.length > this.maxLength) {
        this.overflowing = this.buf.length;
        this.buf = [];
      }
    }
    return out;
  }

  private isEnd(byte: number): boolean {
    switch (this.ending) {
      case 'CR':
        return byte === CR;
      case 'LF':
        return byte === LF;
      case 'any':
        return byte === CR || byte === LF;
      case 'CRLF':
        // An over-long frame keeps no bytes, so the CR is remembered apart from the buffer.
        if (byte === LF && this.prev === CR) {
          if (this.overflowing > 0) this.overflowing--;
          else this.buf.pop();
          return true;
        }
        return false;
    }
  }

  private finish(out: Frame[]): void {
    if (this.overflowing > 0) out.push({ type: 'overflow', length: this.overflowing });
    else if (this.buf.length > 0) out.push({ type: 'frame', bytes: Buffer.from(this.buf) });
    this.buf = [];
    this.overflowing = 0;
  }
}

export class DelimiterParser extends Transform {
  private readonly framer: DelimiterFramer;
  constructor(options: { ending: LineEnding; maxLength: number }) {
    super({ readableObjectMode: true });
    this.framer = new DelimiterFramer(options.ending, options.maxLength);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    for (const f of this.framer.push(chunk)) this.push(f);
    cb();
  }
}
