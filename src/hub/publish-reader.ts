// The hub's MQTT connection as mqtt.js sees it: the broker's socket wrapped so that PUBLISH packets
// (QoS 0 and 1: the hub subscribes at QoS 1, so the broker delivers nothing higher) are read here,
// handed to the ingest and acknowledged, and only the rest (CONNACK, SUBACK, PINGRESP, the acks of
// the hub's own publishes, DISCONNECT) reaches mqtt.js, which keeps the connection, the session and
// the reconnects. mqtt.js spent about a third of the hub's CPU per message on a PUBLISH: a packet
// object, a buffer list whose every read allocates, a tick, two callbacks and an event per message,
// and a PUBACK written through four stream calls. Here a PUBLISH is a topic string and a view of the
// socket's bytes, and the PUBACKs of the socket reads of one turn of the event loop leave in one
// write, at its check phase (a write per read was a tenth of the hub's CPU: reads are small when the
// hub keeps up). Not later: a broker's window of unacknowledged messages (Mosquitto's
// max_inflight_messages, 20 by default) would stall on them.
//
// Anything unusual goes to mqtt.js as it came: a PUBLISH at QoS 2, one with a topic alias or an
// empty topic, one with a property this reader does not know; after bytes that do not frame as MQTT
// packets, all that follows (mqtt.js reports the error as it always did).
import { Duplex } from 'node:stream';

export interface PublishSink {
  /** One PUBLISH, in the order they came; a QoS 1 one is acknowledged after this returns. */
  onPublish(topic: string, payload: Buffer): void;
  /** True while the ingest wants no more (backpressure): nothing further is read from the socket. */
  held(): boolean;
}

const PUBLISH = 3;
const TOPIC_ALIAS = 0x23;

/** Bytes of each MQTT 5 PUBLISH property's value by its id: a fixed count, or a length-prefixed kind. */
const FIXED = new Map([
  [0x01, 1],
  [0x02, 4],
  [TOPIC_ALIAS, 2],
]);
const STRING_OR_BINARY = new Set([0x03, 0x08, 0x09]);
const USER_PROPERTY = 0x26;
const SUBSCRIPTION_ID = 0x0b;

/** A variable byte integer at `i`: [value, index after it], or undefined if cut off or too long. */
function varint(b: Buffer, i: number, end: number): [number, number] | undefined {
  let value = 0;
  let mul = 1;
  for (let n = 0; n < 4; n++) {
    if (i >= end) return undefined;
    const c = b[i++] as number;
    value += (c & 0x7f) * mul;
    if (c < 0x80) return [value, i];
    mul *= 0x80;
  }
  return undefined;
}

/** A two-byte length at `i` if it is inside [.., end), else a length that runs past `end`. */
function u16(b: Buffer, i: number, end: number): number {
  return i + 2 <= end ? ((b[i] as number) << 8) | (b[i + 1] as number) : end;
}

/** Whether the properties in [i, end) are all known and name no topic alias (else mqtt.js reads the packet). */
function plainProperties(b: Buffer, i: number, end: number): boolean {
  while (i < end) {
    const id = b[i++] as number;
    if (id === TOPIC_ALIAS) return false;
    const fixed = FIXED.get(id);
    if (fixed !== undefined) i += fixed;
    else if (STRING_OR_BINARY.has(id)) i += 2 + u16(b, i, end);
    else if (id === USER_PROPERTY) {
      i += 2 + u16(b, i, end);
      i += 2 + u16(b, i, end);
    } else if (id === SUBSCRIPTION_ID) {
      const v = varint(b, i, end);
      if (!v) return false;
      i = v[1];
    } else return false;
  }
  return i === end;
}

export class PublishReader extends Duplex {
  /** Bytes read but not yet handled: a packet cut by the socket read, or what came while held. */
  private pending: Buffer | undefined;
  /** Set when bytes did not frame as packets: from there on everything goes to mqtt.js. */
  private passAll = false;
  /** Packet ids to acknowledge at the loop's next check phase. */
  private acks: number[] = [];
  private flushing = false;

  constructor(
    private readonly socket: Duplex,
    private readonly v5: boolean,
    private readonly sink: PublishSink,
  ) {
    super({ allowHalfOpen: true });
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  /** Reads on after the ingest held (what waited is handled first). */
  goOn(): void {
    if (this.destroyed) return;
    const waiting = this.pending;
    this.pending = undefined;
    if (waiting) this.handle(waiting);
    if (!this.sink.held()) this.socket.resume();
  }

  private received(chunk: Buffer): void {
    if (this.passAll) {
      this.push(chunk);
      return;
    }
    const before = this.pending;
    this.pending = undefined;
    this.handle(before ? Buffer.concat([before, chunk]) : chunk);
  }

  /** Handles the whole packets in `b` (unless held); keeps the rest for later. */
  private handle(b: Buffer): void {
    let i = 0;
    // Bytes for mqtt.js from `pass` up to i (packets other than the PUBLISHes read here), pushed in runs.
    let pass = -1;
    while (i < b.length) {
      const len = varint(b, i + 1, b.length);
      if (!len) {
        // Cut off by the read, or a length longer than MQTT allows (mqtt.js says which).
        if (b.length - i > 5) this.passAll = true;
        break;
      }
      const start = len[1];
      const end = start + len[0];
      if (end > b.length) break;
      const first = b[i] as number;
      // Held: no PUBLISH further, whoever would read it; what comes before one still goes (the
      // CONNACK of a connection made while held, so mqtt.js does not time it out), as with mqtt.js.
      if (first >> 4 === PUBLISH && this.sink.held()) break;
      const id = first >> 4 === PUBLISH ? this.publish(b, first, start, end) : -1;
      if (id === -1) {
        if (pass < 0) pass = i;
      } else {
        if (pass >= 0) this.push(b.subarray(pass, i));
        pass = -1;
        if (id > 0) this.acks.push(id);
      }
      i = end;
    }
    if (pass >= 0) this.push(b.subarray(pass, i));
    if (this.acks.length && !this.flushing) {
      this.flushing = true;
      setImmediate(() => this.acknowledge());
    }
    if (this.passAll) {
      if (i < b.length) this.push(b.subarray(i));
      return;
    }
    if (i < b.length) this.pending = b.subarray(i);
    if (this.sink.held()) this.socket.pause();
  }

  /** Reads one PUBLISH and hands it on: its packet id (0 at QoS 0), or -1 when it is mqtt.js's to read. */
  private publish(b: Buffer, first: number, i: number, end: number): number {
    const qos = (first >> 1) & 3;
    if (qos > 1 || (qos === 0 && first & 0x08)) return -1;
    if (i + 2 > end) return -1;
    const topicLength = b.readUInt16BE(i);
    const topicEnd = i + 2 + topicLength;
    if (topicLength === 0 || topicEnd > end) return -1;
    let at = topicEnd;
    let id = 0;
    if (qos === 1) {
      if (at + 2 > end) return -1;
      id = b.readUInt16BE(at);
      if (id === 0) return -1;
      at += 2;
    }
    if (this.v5) {
      const props = varint(b, at, end);
      if (!props || props[1] + props[0] > end) return -1;
      if (props[0] > 0 && !plainProperties(b, props[1], props[1] + props[0])) return -1;
      at = props[1] + props[0];
    }
    this.sink.onPublish(b.toString('utf8', i + 2, topicEnd), b.subarray(at, end));
    return id;
  }

  /** One write for the PUBACKs of what was handled since the last (MQTT 5: reason 0 and no properties may be left out). */
  private acknowledge(): void {
    this.flushing = false;
    const ids = this.acks;
    this.acks = [];
    // Not after mqtt.js ended the connection: the broker sends those messages again.
    if (ids.length === 0 || this.writableEnded || this.destroyed) return;
    const out = Buffer.allocUnsafe(4 * ids.length);
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] as number;
      out[4 * k] = 0x40;
      out[4 * k + 1] = 2;
      out[4 * k + 2] = id >> 8;
      out[4 * k + 3] = id & 0xff;
    }
    // Through this stream's own write side: in order with what mqtt.js writes (never inside one of its packets).
    this.write(out);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.socket.write(chunk, done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (err?: Error | null) => void): void {
    this.socket.cork();
    for (let k = 0; k < chunks.length - 1; k++) this.socket.write((chunks[k] as { chunk: Buffer }).chunk);
    this.socket.write((chunks[chunks.length - 1] as { chunk: Buffer }).chunk, done);
    this.socket.uncork();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.socket.end(() => done());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.socket.destroy();
    done(err);
  }
}
