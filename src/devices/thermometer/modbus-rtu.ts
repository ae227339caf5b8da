// Modbus RTU framing for the one thing a thermometer needs: read holding/input registers (0x03/0x04).
// Both sides live here so the master (our driver) and the slave (hardware-mocks/) share one CRC and one framing.
import type { Text } from '../vocabulary.js';

export type ReadFunction = 0x03 | 0x04;

export interface ReadRequest {
  slaveId: number;
  fn: ReadFunction;
  address: number;
  count: number;
}

export type ModbusRejectionCode = 'modbus.exception' | 'modbus.garbage' | 'modbus.timeout';
export type ModbusResult = { ok: true; registers: number[] } | { ok: false; code: ModbusRejectionCode; exception?: number; text: Text };

/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), sent low byte first. */
export function crc16(bytes: Uint8Array, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = 0; i < end; i++) {
    crc ^= bytes[i] as number;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function withCrc(body: number[]): Buffer {
  const out = Buffer.alloc(body.length + 2);
  Buffer.from(body).copy(out);
  out.writeUInt16LE(crc16(out, body.length), body.length);
  return out;
}

export const crcOk = (frame: Uint8Array): boolean => frame.length >= 4 && crc16(frame, frame.length - 2) === ((frame[frame.length - 2] as number) | ((frame[frame.length - 1] as number) << 8));

export function encodeReadRequest(r: ReadRequest): Buffer {
  if (!Number.isInteger(r.slaveId) || r.slaveId < 1 || r.slaveId > 247) throw new Error(`Modbus slave id must be 1–247: ${r.slaveId}`);
  if (!Number.isInteger(r.address) || r.address < 0 || r.address > 0xffff) throw new Error(`Modbus register must be 0–65535: ${r.address}`);
  if (!Number.isInteger(r.count) || r.count < 1 || r.count > 125) throw new Error(`Modbus register count must be 1–125: ${r.count}`);
  return withCrc([r.slaveId, r.fn, r.address >> 8, r.address & 0xff, r.count >> 8, r.count & 0xff]);
}

const EXCEPTIONS: Record<number, string> = { 1: 'illegal function', 2: 'illegal data address (check "register")', 3: 'illegal data value', 4: 'slave device failure', 6: 'slave busy' };

const garbage = (n: number): ModbusResult => ({
  ok: false,
  code: 'modbus.garbage',
  text: { zh: `Modbus 体温计发来无法识别的数据（${n} 字节），已忽略`, en: `Modbus thermometer sent ${n} bytes that are not a valid answer; ignored` },
});

/**
 * The master's view of the bytes that arrive after one request: a valid answer found anywhere in them
 * (line noise before it is skipped), or, at the end of the wait, a typed rejection. Never throws.
 */
export class ResponseReader {
  private buf = Buffer.alloc(0);

  constructor(private readonly request: ReadRequest) {}

  /** A result as soon as one is complete and valid; undefined while waiting for more. */
  push(chunk: Uint8Array): ModbusResult | undefined {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > 512) this.buf = this.buf.subarray(this.buf.length - 512);
    const { slaveId, fn, count } = this.request;
    for (let i = 0; i + 5 <= this.buf.length; i++) {
      if (this.buf[i] !== slaveId) continue;
      const f = this.buf[i + 1];
      if (f === fn && this.buf[i + 2] === count * 2) {
        const frame = this.buf.subarray(i, i + 5 + count * 2);
        if (frame.length < 5 + count * 2) continue;
        if (!crcOk(frame)) continue;
        this.buf = Buffer.alloc(0);
        const registers: number[] = [];
        for (let r = 0; r < count; r++) registers.push(frame.readUInt16BE(3 + r * 2));
        return { ok: true, registers };
      }
      if (f === (fn | 0x80)) {
        const frame = this.buf.subarray(i, i + 5);
        if (!crcOk(frame)) continue;
        this.buf = Buffer.alloc(0);
        const exception = frame[2] as number;
        const what = EXCEPTIONS[exception] ?? `exception ${exception}`;
        return { ok: false, code: 'modbus.exception', exception, text: { zh: `Modbus 体温计拒绝请求：${what}`, en: `Modbus thermometer refused the request: ${what}` } };
      }
    }
    return undefined;
  }

  /** The wait is over with no valid answer. */
  end(): ModbusResult {
    const n = this.buf.length;
    this.buf = Buffer.alloc(0);
    if (n > 0) return garbage(n);
    return { ok: false, code: 'modbus.timeout', text: { zh: 'Modbus 体温计无应答', en: 'No answer from the Modbus thermometer' } };
  }
}

/** The slave's view: requests addressed to it, found in a byte stream. Used by the simulator. */
export class RequestReader {
  private buf = Buffer.alloc(0);

  /** Complete requests with a valid CRC, in order; everything else is skipped. Never throws. */
  push(chunk: Uint8Array): { slaveId: number; fn: number; address: number; count: number }[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: { slaveId: number; fn: number; address: number; count: number }[] = [];
    let i = 0;
    while (i + 8 <= this.buf.length) {
      const frame = this.buf.subarray(i, i + 8);
      if (crcOk(frame)) {
        out.push({ slaveId: frame[0] as number, fn: frame[1] as number, address: frame.readUInt16BE(2), count: frame.readUInt16BE(4) });
        i += 8;
      } else i++;
    }
    this.buf = Buffer.from(this.buf.subarray(i));
    if (this.buf.length > 512) this.buf = Buffer.from(this.buf.subarray(this.buf.length - 7));
    return out;
  }
}

export function encodeReadResponse(slaveId: number, fn: number, registers: number[]): Buffer {
  const body = [slaveId, fn, registers.length * 2];
  for (const r of registers) body.push((r >> 8) & 0xff, r & 0xff);
  return withCrc(body);
}

export function encodeException(slaveId: number, fn: number, exception: number): Buffer {
  return withCrc([slaveId, (fn | 0x80) & 0xff, exception]);
}
