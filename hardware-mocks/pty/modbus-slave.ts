// A Modbus RTU thermometer slave: answers reads of its temperature register (0x03/0x04) with a correct CRC,
// an exception for anything else addressed to it, and stays silent for other slave ids (as on an RS485 bus).
import { encodeException, encodeReadResponse, RequestReader } from '../../src/devices/thermometer/modbus-rtu.js';

export interface ModbusSlaveOptions {
  slaveId: number;
  register: number;
  /** Register units per °C (0.1 → 365 means 36.5 °C). */
  scale: number;
}

export class ModbusSlave {
  private readonly reader = new RequestReader();
  private raw = 0;
  /** Requests answered so far (the driver's polls). */
  answered = 0;
  /** A muted slave hears but never answers (a dead sensor on a live bus). */
  muted = false;

  constructor(private readonly o: ModbusSlaveOptions) {}

  set celsius(c: number) {
    this.raw = Math.round(c / this.o.scale) & 0xffff;
  }

  /** Bytes from the master; returns the bytes to send back. */
  receive(chunk: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    for (const req of this.reader.push(chunk)) {
      if (req.slaveId !== this.o.slaveId || this.muted) continue;
      this.answered++;
      if (req.fn !== 0x03 && req.fn !== 0x04) out.push(encodeException(req.slaveId, req.fn, 1));
      else if (req.count < 1 || req.count > 125 || req.address > this.o.register || req.address + req.count <= this.o.register) out.push(encodeException(req.slaveId, req.fn, 2));
      else out.push(encodeReadResponse(req.slaveId, req.fn, Array.from({ length: req.count }, (_, i) => (req.address + i === this.o.register ? this.raw : 0))));
    }
    return out;
  }
}
