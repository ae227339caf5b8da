// Scan at the gate → visible on the hub's overview in Chromium (issue 21: p95 ≤ 500 ms over loopback).
// A real gate daemon in simulation (its scan through the simulated scanner, its ledger, its outbox
// and counts over MQTT), a local Mosquitto, the hub with its office, and Debian's Chromium signed in
// on the overview. Each sample is a card refused at once (malformed), timed from the scan to the
// gate's card on the overview showing one more refusal. Scans are spaced past the gate's counts
// interval (mqtt.countsDebounceMs), as a lone passage is. Baseline in the same run: the page's own
// fetch of the overview from the hub (what each redraw does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from './broker.js';
import { launchKioskBrowser, simulatedScan } from './kiosk.js';
import { type Figure, median, percentile } from './report.js';

const SAMPLES = 30;

export async function run(): Promise<Figure[]> {
  const { startApp } = await import('../src/app/app.js');
  const { validateConfig } = await import('../src/config/load.js');
  const { simulationConfig } = await import('../src/app/simulation.js');
  const { startHub } = await import('../src/hub/hub.js');
  const { validateAgainst } = await import('../src/config/load.js');
  const { HubConfigSchema } = await import('../src/hub/config.js');
  const pino = (await import('pino')).default;
  const broker = await startMosquitto();
  if (!broker) throw new Error('mosquitto is not installed (Debian package "mosquitto"; scripts/test-deps.mjs installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'bench-office-live-'));
  const logger = pino({ level: 'silent' });
  const closers: Array<() => Promise<unknown>> = [async () => broker.close(), async () => rmSync(dir, { recursive: true, force: true })];
  try {
    const base = validateConfig({ kiosk: { port: 0 }, storage: { path: join(dir, 'gate.db') }, cards: { keyDir: join(dir, 'keys') }, mqtt: { url: broker.url, embeddedBroker: { enabled: false } } }).config;
    if (!base) throw new Error('bench gate config invalid');
    const app = await startApp({ config: simulationConfig(base), logger, env: {} });
    closers.unshift(() => app.stop());
    const site = app.config.site.id;
    const gate = app.config.gate.id;
    const { config, problems } = validateAgainst<import('../src/hub/config.js').HubConfig>(HubConfigSchema, { hub: { name: 'bench', sites: [site], storage: { dataDir: join(dir, 'hub') } }, mqtt: { url: broker.url }, api: { port: 0 } });
    if (!config) throw new Error(`bench hub config: ${problems.join('; ')}`);
    const hub = await startHub({ config, logger, env: {} });
    closers.unshift(() => hub.stop());
    if (!hub.officeUrl || !hub.adminPassword) throw new Error('the hub started without its office or its first admin');
    const browser = await launchKioskBrowser({ width: 1920, height: 1080 });
    closers.unshift(() => browser.close());
    const page = browser.page;
    await page.goto(hub.officeUrl);
    await page.locator('input[name=name]').fill('admin');
    await page.locator('input[name=password]').fill(hub.adminPassword);
    await page.getByTestId('login').click();
    await page.waitForFunction(() => document.body.dataset.live === 'connected', undefined, { timeout: 10_000 });
    const card = `[data-testid="gate-${site}-${gate}"]`;
    await page.locator(card).waitFor({ timeout: 20_000 });

    const scan = simulatedScan(app);
    const refusals = () => page.evaluate((sel) => Number(document.querySelector(`${sel} [data-testid=refusals]`)?.textContent ?? 0), card);
    const spacing = app.config.mqtt.countsDebounceMs + 100;
    const samples: number[] = [];
    const trips: number[] = [];
    for (let i = 0; i < SAMPLES + 3; i++) {
      const want = (await refusals()) + 1;
      const t0 = performance.timeOrigin + performance.now();
      scan(`GP1.bench-office-${i}.x`);
      const shown = await page.waitForFunction(
        ([sel, n]) => (Number(document.querySelector(`${sel} [data-testid=refusals]`)?.textContent ?? 0) >= n ? performance.timeOrigin + performance.now() : null),
        [card, want] as const,
        { timeout: 10_000, polling: 5 },
      );
      samples.push(((await shown.jsonValue()) as number) - t0);
      trips.push(await page.evaluate(async () => {
        const t = performance.now();
        await fetch('/office/api/overview', { cache: 'no-store', credentials: 'same-origin' });
        return performance.now() - t;
      }));
      // A lone passage each time: past the gate's counts interval before the next scan.
      await new Promise((r) => setTimeout(r, spacing));
    }
    const warm = samples.slice(3);
    const p95 = percentile(warm, 95);
    return [
      {
        name: 'office: scan at the gate to the overview (Chromium, MQTT, SSE)',
        value: p95,
        unit: 'ms',
        budget: { op: '<=', value: 500 },
        baseline: { name: 'page fetch of the overview', value: median(trips.slice(3)) },
        runs: warm.length,
        note: `p95; median ${median(warm).toFixed(1)} ms, max ${Math.max(...warm).toFixed(1)} ms; a refused card, gate daemon → Mosquitto → hub commit → SSE → the overview redrawn`,
      },
    ];
  } finally {
    for (const c of closers) await c().catch(() => {});
  }
}
