// The hub's reader of PUBLISH packets (src/hub/publish-reader.ts) on a socket fed by hand: every
// message once, in order, however the socket cuts the bytes; one write of PUBACKs per turn of the loop; what it
// does not read itself reaches mqtt.js byte for byte; nothing read while the ingest holds.
import { Duplex } from 'node:stream';
import { generate, type IPublishPacket, type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PublishReader } from '../../src/hub/publish-reader.js';

class FakeSocket extends Duplex {
  written: Buffer[] = [];
  pausedNow = false;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    done();
  }
  override pause(): this {
    this.pausedNow = true;
    return super.pause();
  }
  override resume(): this {
    this.pausedNow = false;
    return super.resume();
  }
  feed(b: Buffer): void {
    this.emit('data', b);
  }
}

function setup(v5 = true, holdAfter = Number.POSITIVE_INFINITY) {
  const socket = new FakeSocket();
  const got: Array<[string, string]> = [];
  const held = { on: false };
  const reader = new PublishReader(socket, v5, {
    onPublish: (topic, payload) => {
      got.push([topic, payload.toString()]);
      if (got.length === holdAfter) held.on = true;
    },
    held: () => held.on,
  });
  const passed: Buffer[] = [];
  reader.on('data', (b: Buffer) => passed.push(b));
  const acks = () => Buffer.concat(socket.written);
  return { socket, reader, got, held, passed, acks };
}

const opts5 = { protocolVersion: 5 };
const publish = (id: number, o: Partial<IPublishPacket> = {}, opts = opts5) => generate({ cmd: 'publish', topic: `checkpoint/v1/s/g${id}/passages`, payload: Buffer.from(`{"seq":${id}}`), qos: 1, messageId: id, retain: false, dup: false, ...o } as Packet, opts);
const puback = (...ids: number[]) => Buffer.from(ids.flatMap((id) => [0x40, 2, id >> 8, id & 0xff]));
const pingresp = generate({ cmd: 'pingresp' } as Packet, opts5);

describe('PublishReader', () => {
  it('reads every PUBLISH once and in order however the reads cut them, and acknowledges the reads of one turn of the loop in one write', async () => {
    const stream = Buffer.concat([publish(1), publish(2), pingresp, publish(3, { payload: Buffer.from('x'.repeat(300)) }), publish(300)]);
    for (const cut of [stream.length, 1, 2, 3, 7, 64]) {
      const { socket, got, passed, acks } = setup();
      for (let i = 0; i < stream.length; i += cut) socket.feed(stream.subarray(i, i + cut));
      await new Promise((r) => setImmediate(r));
      expect(got.map(([t]) => t)).toEqual([1, 2, 3, 300].map((id) => `checkpoint/v1/s/g${id}/passages`));
      expect(got[0]?.[1]).toBe('{"seq":1}');
      expect(got[2]?.[1]).toBe('x'.repeat(300));
      expect(acks()).toEqual(puback(1, 2, 3, 300));
      expect(Buffer.concat(passed)).toEqual(pingresp);
      expect(socket.written).toHaveLength(1);
    }
  });

  it('reads MQTT 3.1.1 and QoS 0 (nothing to acknowledge), and skips MQTT 5 properties it knows', async () => {
    const v4 = setup(false);
    v4.socket.feed(Buffer.concat([publish(1, {}, { protocolVersion: 4 }), publish(2, { qos: 0 }, { protocolVersion: 4 })]));
    await new Promise((r) => setImmediate(r));
    expect(v4.got.map(([, p]) => p)).toEqual(['{"seq":1}', '{"seq":2}']);
    expect(v4.acks()).toEqual(puback(1));
    const v5 = setup();
    v5.socket.feed(publish(7, { properties: { payloadFormatIndicator: true, messageExpiryInterval: 60, contentType: 'application/json', userProperties: { a: 'b' } } }));
    await new Promise((r) => setImmediate(r));
    expect(v5.got).toEqual([['checkpoint/v1/s/g7/passages', '{"seq":7}']]);
    expect(v5.acks()).toEqual(puback(7));
  });

  it('leaves to mqtt.js, byte for byte, a PUBLISH with a topic alias, at QoS 2, or after bytes that are not MQTT', async () => {
    const { socket, got, passed, acks } = setup();
    const alias = publish(5, { properties: { topicAlias: 1 } });
    const qos2 = publish(6, { qos: 2 });
    socket.feed(Buffer.concat([publish(4), alias, qos2, publish(8)]));
    await new Promise((r) => setImmediate(r));
    expect(got.map(([t]) => t)).toEqual(['checkpoint/v1/s/g4/passages', 'checkpoint/v1/s/g8/passages']);
    expect(acks()).toEqual(puback(4, 8));
    expect(Buffer.concat(passed)).toEqual(Buffer.concat([alias, qos2]));
    const bad = setup();
    const junk = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0]);
    bad.socket.feed(Buffer.concat([publish(1), junk]));
    bad.socket.feed(publish(2));
    await new Promise((r) => setImmediate(r));
    expect(bad.got).toHaveLength(1);
    expect(Buffer.concat(bad.passed)).toEqual(Buffer.concat([junk, publish(2)]));
  });

  it('reads nothing further while the ingest holds (the socket paused), then the rest in order', async () => {
    const { socket, reader, got, held, acks } = setup(true, 2);
    socket.feed(Buffer.concat([publish(1), publish(2), publish(3)]));
    socket.feed(publish(4));
    await new Promise((r) => setImmediate(r));
    expect(got).toHaveLength(2);
    expect(socket.pausedNow).toBe(true);
    expect(acks()).toEqual(puback(1, 2));
    held.on = false;
    reader.goOn();
    await new Promise((r) => setImmediate(r));
    expect(got.map(([, p]) => p)).toEqual([1, 2, 3, 4].map((id) => `{"seq":${id}}`));
    expect(socket.pausedNow).toBe(false);
    expect(acks()).toEqual(puback(1, 2, 3, 4));
  });

  it('while held, still hands mqtt.js what comes before the next PUBLISH (a CONNACK), and nothing after it', async () => {
    const { socket, reader, got, held, passed } = setup();
    held.on = true;
    const connack = generate({ cmd: 'connack', sessionPresent: true, returnCode: 0, reasonCode: 0 } as Packet, opts5);
    socket.feed(Buffer.concat([connack, publish(1), pingresp, publish(2)]));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(passed)).toEqual(connack);
    expect(got).toHaveLength(0);
    expect(socket.pausedNow).toBe(true);
    held.on = false;
    reader.goOn();
    await new Promise((r) => setImmediate(r));
    expect(got.map(([, p]) => p)).toEqual(['{"seq":1}', '{"seq":2}']);
    expect(Buffer.concat(passed)).toEqual(Buffer.concat([connack, pingresp]));
  });

  it('passes the socket\'s end, errors and close on, and its own writes and end to the socket', async () => {
    const { socket, reader } = setup();
    const events: string[] = [];
    reader.on('error', (e: Error) => events.push(`error ${e.message}`));
    reader.on('close', () => events.push('close'));
    reader.write(Buffer.from([0xc0, 0]));
    expect(Buffer.concat(socket.written)).toEqual(Buffer.from([0xc0, 0]));
    socket.destroy(new Error('reset'));
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['error reset', 'close']);
  });
});
