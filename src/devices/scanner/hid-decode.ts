// struct input_event from /dev/input/event* (24 bytes on 64-bit, 16 on 32-bit) to scans.
import { KEY, keyText } from './hid-keys.js';

export const EV_KEY = 1;

export interface InputEvent {
  type: number;
  code: number;
  value: number;
}

/** 24 on 64-bit kernels (two 64-bit timeval fields), 16 on 32-bit ones. */
export const nativeEventSize = (): 16 | 24 => (process.arch === 'arm' || process.arch === 'ia32' ? 16 : 24);

export class InputEventReader {
  private rest = Buffer.alloc(0);
  constructor(private readonly size: 16 | 24 = nativeEventSize()) {}

  push(chunk: Buffer): InputEvent[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: InputEvent[] = [];
    let off = 0;
    const t = this.size - 8;
    for (; off + this.size <= buf.length; off += this.size) {
      out.push({ type: buf.readUInt16LE(off + t), code: buf.readUInt16LE(off + t + 2), value: buf.readInt32LE(off + t + 4) });
    }
    this.rest = Buffer.from(buf.subarray(off));
    return out;
  }
}

export function encodeInputEvent(ev: InputEvent, size: 16 | 24 = 24, timeSec = 0): Buffer {
  const b = Buffer.alloc(size);
  if (size === 24) b.writeBigInt64LE(BigInt(timeSec), 0);
  else b.writeInt32LE(timeSec, 0);
  const t = size - 8;
  b.writeUInt16LE(ev.type, t);
  b.writeUInt16LE(ev.code, t + 2);
  b.writeInt32LE(ev.value, t + 4);
  return b;
}

/** Key events to text; Enter ends a scan. Modifier combinations become control characters so the filter refuses them. */
export class KeyDecoder {
  private text = '';
  private shift = new Set<number>();
  private ctrl = false;
  private alt = false;
  private caps = false;

  /** Returns the finished scan when Enter is pressed; else undefined. */
  push(ev: InputEvent): string | undefined {
    if (ev.type !== EV_KEY) return undefined;
    const down = ev.value !== 0;
    switch (ev.code) {
      case KEY.LEFTSHIFT:
      case KEY.RIGHTSHIFT:
        if (down) this.shift.add(ev.code);
        else this.shift.delete(ev.code);
        return undefined;
      case KEY.LEFTCTRL:
      case KEY.RIGHTCTRL:
        this.ctrl = down;
        return undefined;
      case KEY.LEFTALT:
      case KEY.RIGHTALT:
      case KEY.LEFTMETA:
      case KEY.RIGHTMETA:
        this.alt = down;
        return undefined;
    }
    if (ev.value !== 1) return undefined;
    if (ev.code === KEY.CAPSLOCK) {
      this.caps = !this.caps;
      return undefined;
    }
    if (ev.code === KEY.ENTER || ev.code === KEY.KPENTER) return this.take();
    const ch = keyText(ev.code, this.shift.size > 0, this.caps);
    if (ch === undefined) this.text += ev.code === KEY.ESC || ev.code === KEY.BACKSPACE ? '\u001b' : '\ufffd';
    else if (this.ctrl) this.text += String.fromCharCode(ch.toUpperCase().charCodeAt(0) & 0x1f);
    else if (this.alt) this.text += `\u001b${ch}`;
    else this.text += ch;
    return undefined;
  }

  /** What was typed since the last Enter (for an inter-key timeout). */
  take(): string | undefined {
    const t = this.text;
    this.text = '';
    return t.length ? t : undefined;
  }

  get pending(): number {
    return this.text.length;
  }
}
