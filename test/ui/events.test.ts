// The live event stream over a real socket: refused without a session, then every bus event the screen
// needs arrives as an SSE frame with names masked; /healthz answers without a session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Passage } from '../../src/gate/model.js';
import { createKioskFeature } from '../../src/ui/kiosk.js';
import { injectHarness } from './harness.js';

let h: Awaited<ReturnType<typeof injectHarness>>;
let kiosk: ReturnType<typeof createKioskFeature>;
let cookie = '';

beforeAll(async () => {
  h = await injectHarness({ kiosk: { port: 0, adminPin: '24681357' } });
  kiosk = createKioskFeature({ ctx: h.ctx, runtime: h.runtime, ledger: h.ledger, devices: h.devices, keys: h.keys });
  await kiosk.start();
  const r = await fetch(`${kiosk.url()}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operatorId: 'admin', pin: '24681357' }) });
  cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});

afterAll(async () => {
  await kiosk?.stop();
  await h?.stop();
});

const passage = (id: string): Passage => ({
  id, lane: 'main', direction: 'in', subject: { kind: 'person', id: 'p-001', name: '张桂兰', householdId: 'hh-001' }, temperatures: [{ celsius: 36.4, source: 'device', at: 1 }],
  colour: 'green', colourSource: 'operator', mask: true, maskSource: 'operator', outcome: 'admitted', reasons: [{ code: 'passage.admitted', zh: '准予通行', en: 'Admitted' }],
  startedAt: 1, decidedAt: 2, clockSynced: true, actions: [], alerts: [], flags: [], zoneLevel: 'normal',
});

describe('live event stream', () => {
  it('answers /healthz and refuses the stream without a session', async () => {
    expect((await fetch(`${kiosk.url()}/healthz`)).status).toBe(200);
    const r = await fetch(`${kiosk.url()}/api/events`);
    expect(r.status).toBe(401);
    expect((await r.json()).code).toBe('UNAUTHENTICATED');
  });

  it('streams decided passages (masked), alerts, device health and counts', async () => {
    expect(cookie).toMatch(/^gate_session=/);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 10_000);
    try {
      const r = await fetch(`${kiosk.url()}/api/events`, { headers: { cookie }, signal: ac.signal });
      expect(r.headers.get('content-type')).toContain('text/event-stream');
      const reader = (r.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const until = async (needle: string) => {
        while (!text.includes(needle)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before "${needle}"`);
          text += decoder.decode(value, { stream: true });
        }
      };
      await until('retry: 2000');
      h.ctx.bus.emit('passage.decided', { passage: passage('p-sse-1'), seq: 7 });
      await until('event: decided');
      await until('p-sse-1');
      h.ctx.bus.emit('device.health', { id: 'scanner-1', kind: 'scanner', lane: 'main', driver: 'mock', state: 'disconnected', since: 3 });
      await until('event: device');
      h.ctx.bus.emit('ledger.changed', { what: 'counts' });
      await until('event: counts');
      h.ctx.bus.emit('alert.acknowledged', { alertId: 'a-1', operatorId: 'admin' });
      await until('event: ack');
      expect(text).toContain('张*兰');
      expect(text).not.toContain('张桂兰');
      await reader.cancel();
    } finally {
      clearTimeout(timer);
    }
  });
});
