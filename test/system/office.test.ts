// The system test: two simulated gates (real daemons, `gate run --simulation`) → Mosquitto →
// the hub → the office in Chromium. A fever at gate g1 shows on the overview and is acknowledged in
// the browser with a note (the ack in the audit log); a zone change authored in the browser reaches
// both gates, both answer applied, and g1 then refuses an exit.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKioskBrowser } from '../../bench/kiosk.js';
import { type RunningDaemon, startDaemon } from '../helpers/daemon.js';
import { PASSWORD, startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { tempDir } from '../helpers/temp-dir.js';
import { SITE, startTestHub, type TestHub } from '../hub/harness.js';

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 25 });

let broker: TestBroker;
let hub: TestHub;
const gates: Record<string, RunningDaemon> = {};
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;
let page: Page;

async function sim(gate: string, args: string[]): Promise<string> {
  const r = await (gates[gate] as RunningDaemon).gate(['sim', ...args]);
  if (r.code !== 0) throw new Error(`gate sim ${args.join(' ')} at ${gate}: ${r.code} ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  broker = await startMosquitto({ site: SITE, gates: ['g1', 'g2'] });
  hub = await startTestHub({ broker, dataDir: tempDir('office-sys-') });
  const start = (gate: string) =>
    startDaemon({
      config: { site: { id: SITE, name: '测试村' }, gate: { id: gate, name: gate }, mqtt: { url: broker.url, username: gate, tls: { ca: broker.caFile }, embeddedBroker: { enabled: false }, countsDebounceMs: 200 } },
      env: { GATE_MQTT_PASSWORD: PASSWORD },
      readyTimeoutMs: 30_000,
    });
  [gates.g1, gates.g2] = await Promise.all([start('g1'), start('g2')]);
  await hub.until(async () => (await hub.reader.histories()).filter((h) => h.state?.status === 'online').length === 2, 'both gates online at the hub', 30_000);
  b = await launchKioskBrowser({ width: 1920, height: 1080 }, ['--autoplay-policy=no-user-gesture-required']);
  page = b.page;
}, 120_000);

afterAll(async () => {
  await b?.close();
  await Promise.all(Object.values(gates).map((g) => g.stop('SIGTERM').catch(() => g.child.kill('SIGKILL'))));
  await hub?.stop();
  await broker?.close();
});

describe('two gates, the hub and the office', () => {
  it('shows a fever at g1 on the overview, acknowledged in the browser with a note, the ack audited', async () => {
    await page.goto(hub.officeUrl as string);
    await page.locator('input[name=name]').fill('admin');
    await page.locator('input[name=password]').fill(hub.adminPassword as string);
    await page.getByTestId('login').click();
    await poll(() => page.locator('[data-testid^=gate-]').count()).toBe(2);
    await poll(() => page.evaluate(() => document.body.dataset.live)).toBe('connected');
    await sim('g1', ['scan', 'pc-004', '--in']);
    await sim('g1', ['temp', '38.2']);
    await sim('g1', ['temp', '38.4']);
    const sent = Date.now();
    await poll(() => page.getByTestId('unacked-critical').textContent()).toBe('1');
    console.log(`fever at g1 (gate sim) → on the office overview in Chromium: ${Date.now() - sent} ms`);
    await poll(() => page.locator('#alarm').isVisible()).toBe(true);
    await page.getByTestId('nav-alerts').click();
    await page.locator('[data-testid=alert].critical [data-testid=ack]').first().click();
    await page.locator('[data-testid=ack-form] textarea').fill('村医已到卡口复测');
    await page.getByTestId('ack-submit').click();
    await poll(() => page.getByTestId('acked').first().textContent()).toContain('村医已到卡口复测');
    await poll(() => page.locator('#alarm').isHidden()).toBe(true);
    const audit = await page.evaluate(() => fetch('/office/api/audit?action=alert.ack').then((r) => r.json()));
    expect(audit.entries[0]).toMatchObject({ user: 'admin', detail: { note: '村医已到卡口复测' } });
    expect(audit.entries[0].target).toMatch(new RegExp(`^${SITE}/g1/`));
  });

  it('sends a sealed zone level from the browser to both gates, both apply it, and g1 then refuses an exit', async () => {
    await page.getByTestId('nav-word').click();
    await page.getByTestId('zone-sealed').click();
    await page.getByTestId('zone-preview').click();
    await page.getByTestId('word-next').click();
    await page.getByTestId('word-send').click();
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);
    await hub.until(async () => (await hub.reader.histories()).every((h) => h.state?.zoneLevel === 'sealed'), 'both gates report the sealed zone');
    await sim('g1', ['scan', 'hh-001', '--out']);
    await hub.until(async () => (await hub.reader.passages({ gate: 'g1', limit: 1 })).items[0]?.direction === 'out', 'the exit at g1 reaches the hub');
    const [exit] = (await hub.reader.passages({ gate: 'g1', limit: 1 })).items;
    expect(exit).toMatchObject({ direction: 'out', outcome: 'refused' });
    expect(JSON.stringify(exit?.data)).toMatch(/zone|sealed/);
  });
});
