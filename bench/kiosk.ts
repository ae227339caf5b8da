// Kiosk figures for `npm run bench`: time from a simulated card scan (mock scanner, through the device
// layer, gate core, runtime and SSE) to the passage drawn on the live screen in real Chromium, and to the
// full-screen verdict of a card refused at once (issue 19). Baseline in the same run: the page's own
// HTTP round trip to the same server (fetch /healthz).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Figure, median, percentile } from './report.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium with a fresh profile; close() removes the profile. */
/** `timezoneId`: the zone the browser runs in (a test sets one other than the village's to prove the page shows village time). */
export async function launchKioskBrowser(viewport = { width: 1280, height: 800 }, extraArgs: string[] = [], timezoneId?: string): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'kiosk-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], viewport, acceptDownloads: true, timeout: 30_000, ...(timezoneId ? { timezoneId } : {}) });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Cannot start /usr/bin/chromium (Debian package "chromium"; scripts/test-deps.mjs installs it): ${(err as Error).message}`);
  }
  // Every wait is bounded: a broken page fails in seconds instead of hanging the suite.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

declare global {
  interface Window {
    kioskShown: Record<string, number>;
  }
}

/** Wall ms from `scan()` to the page having drawn the passage, in progress or decided (the page stamps both after rendering). */
export async function scanToScreenMs(page: Page, scan: () => void): Promise<number> {
  await page.evaluate(() => {
    for (const k of Object.keys(window.kioskShown)) delete window.kioskShown[k];
  });
  const t0 = performance.timeOrigin + performance.now();
  scan();
  const handle = await page.waitForFunction(
    () => {
      const first = Object.values(window.kioskShown).sort((a, b) => a - b)[0];
      return first ?? null;
    },
    undefined,
    { timeout: 5000, polling: 5 },
  );
  const shown = (await handle.jsonValue()) as number;
  return shown - t0;
}

/** Wall ms from `scan()` to the page having put up the full-screen verdict (stamped as `verdict:<id>` once in the DOM). */
export async function scanToVerdictMs(page: Page, scan: () => void): Promise<number> {
  await page.evaluate(() => {
    for (const k of Object.keys(window.kioskShown)) delete window.kioskShown[k];
  });
  const t0 = performance.timeOrigin + performance.now();
  scan();
  const handle = await page.waitForFunction(() => Object.entries(window.kioskShown).find(([k]) => k.startsWith('verdict:'))?.[1] ?? null, undefined, { timeout: 5000, polling: 5 });
  return ((await handle.jsonValue()) as number) - t0;
}

export async function httpRoundTripMs(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const t = performance.now();
    await fetch('/healthz', { cache: 'no-store' });
    return performance.now() - t;
  });
}

/** Signs in on a fresh kiosk: the first-run PIN screen, then the live screen. */
export async function firstRunSignIn(page: Page, url: string, pin: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('setup-pin').click();
  for (let round = 0; round < 2; round++) {
    for (const d of pin) await page.locator(`#modal [data-key="${d}"]`).click();
    await page.getByTestId('pad-ok').click();
  }
  await page.getByTestId('passage').waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => /实时|Live/.test(document.querySelector('[data-testid="conn"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
}

type RunningGate = Awaited<ReturnType<typeof import('../src/app/app.js').startApp>>;

/**
 * A scan at the first lane of a gate in simulation: sent by the simulator control through the lane's
 * simulated scanner (a pseudo-terminal), or by the in-process mock scanner.
 */
export function simulatedScan(app: Pick<RunningGate, 'config' | 'simControl' | 'devices'>): (text: string) => void {
  const lane = app.config.lanes[0]?.id ?? 'main';
  const sim = app.simControl?.info;
  return (text) => {
    if (sim) void fetch(`${sim.url}/sim/scan`, { method: 'POST', headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ lane, text }) });
    else if (app.devices.mock) app.devices.mock.scan(lane, text);
    else throw new Error('the simulation has neither a simulator control nor a mock scanner');
  };
}

export async function run(): Promise<Figure[]> {
  const { startApp } = await import('../src/app/app.js');
  const { validateConfig } = await import('../src/config/load.js');
  const { simulationConfig } = await import('../src/app/simulation.js');
  const { issueToken } = await import('../src/gate/credentials/token.js');
  const pino = (await import('pino')).default;
  const dir = mkdtempSync(join(tmpdir(), 'bench-kiosk-'));
  const base = validateConfig({ kiosk: { port: 0 }, storage: { path: join(dir, 'gate.db') }, cards: { keyDir: join(dir, 'keys') }, mqtt: { embeddedBroker: { enabled: true, port: 0 } } }).config;
  if (!base) throw new Error('bench config invalid');
  const app = await startApp({ config: simulationConfig(base), logger: pino({ level: 'silent' }), env: {} });
  const browser = await launchKioskBrowser();
  try {
    await firstRunSignIn(browser.page, app.kioskUrl, '24681357');
    const lane = app.config.lanes[0]?.id ?? 'main';
    const scan = simulatedScan(app);
    const scans: number[] = [];
    const trips: number[] = [];
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 40; i++) {
      // A new iat per scan: the same text within the scanner's dedupe window would count once.
      const token = issueToken({ t: 'household', id: 'bench-hh', hh: 'bench-hh', site: app.config.site.id, kid: app.keys.own.kid, iat: now - i }, app.keys.own.privateKey);
      scans.push(await scanToScreenMs(browser.page, () => scan(token)));
      app.runtime.input({ type: 'cancel', lane });
      trips.push(await httpRoundTripMs(browser.page));
    }
    // A card refused at once (malformed: each text different, the scanner drops a repeat): the verdict fills the screen.
    const verdicts: number[] = [];
    for (let i = 0; i < 40; i++) {
      verdicts.push(await scanToVerdictMs(browser.page, () => scan(`GP1.bench-refused-${i}.x`)));
      await browser.page.evaluate(() => document.getElementById('verdict')?.click());
    }
    const warm = scans.slice(5);
    const warmVerdicts = verdicts.slice(5);
    return [
      {
        name: 'kiosk: scan to live screen (Chromium, SSE)',
        value: median(warm),
        unit: 'ms',
        baseline: { name: 'page HTTP round trip', value: median(trips.slice(5)) },
        runs: warm.length,
        note: `p95 ${percentile(warm, 95).toFixed(1)} ms, max ${Math.max(...warm).toFixed(1)} ms; DESIGN.md sets no kiosk budget`,
      },
      {
        name: 'kiosk: scan to full-screen verdict (Chromium, SSE)',
        value: median(warmVerdicts),
        unit: 'ms',
        baseline: { name: 'page HTTP round trip', value: median(trips.slice(5)) },
        runs: warmVerdicts.length,
        note: `p95 ${percentile(warmVerdicts, 95).toFixed(1)} ms, max ${Math.max(...warmVerdicts).toFixed(1)} ms; from the scan to the verdict in the DOM (drawn at the next frame); a malformed card, refused at once and committed before it is shown`,
      },
    ];
  } finally {
    await browser.close();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
