// The office's 广播 screen end to end: a real Mosquitto, the hub in this process, a gate daemon in
// simulation (its lane has the mock loudspeaker) connected as g1, the office in Chromium. The duty
// officer writes a notice, previews and confirms it as every word to the gates; g1 answers applied,
// lists the notice as the office's, and its loudspeaker plays it while the lane is idle. Sending the
// list again without it clears it at the gate. Screenshots at 1920×1080 and 390×844 go to
// $OFFICE_SHOTS (`node scripts/office-screenshots.mjs` refreshes docs/screenshots/hub-*.png).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKioskBrowser } from '../../bench/kiosk.js';
import { mockVoices } from '../../hardware-mocks/voice.js';
import { type RunningApp, startApp } from '../../src/app/app.js';
import { simulationConfig } from '../../src/app/simulation.js';
import { validateConfig } from '../../src/config/load.js';
import { PASSWORD, startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { tempDir } from '../helpers/temp-dir.js';
import { SITE, startTestHub, type TestHub } from './harness.js';

const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout, interval: 25 });
const SHOTS = process.env.OFFICE_SHOTS ?? join(tmpdir(), 'office-shots');
const SIZES = [
  { width: 1920, height: 1080 },
  { width: 390, height: 844 },
];
const NOTICE = '今晚九点卡口关闭，请村民早点回家';

let broker: TestBroker;
let hub: TestHub;
let gate: RunningApp;
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.evaluate(() => {
    (document.getElementById('toast') as HTMLElement).hidden = true;
  });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: join(SHOTS, `hub-${name}-${size.width}x${size.height}.png`), fullPage: size.width < 600 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${size.width}`).toBeLessThanOrEqual(size.width);
  }
  await page.setViewportSize(SIZES[0] as { width: number; height: number });
}

const hubList = () => gate.voice.state().announcements.filter((a) => a.source === 'hub');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  broker = await startMosquitto({ site: SITE, gates: ['g1'] });
  hub = await startTestHub({ broker, dataDir: tempDir('office-notices-') });
  const dir = tempDir('office-notices-gate-');
  const { config, problems } = validateConfig({
    site: { id: SITE, name: '测试村' },
    gate: { id: 'g1', name: '1号卡口' },
    kiosk: { port: 0 },
    storage: { path: join(dir, 'gate.db') },
    cards: { keyDir: join(dir, 'keys') },
    mqtt: { url: broker.url, username: 'g1', password: PASSWORD, tls: { ca: broker.caFile }, embeddedBroker: { enabled: false } },
    // A notice may start as soon as the lane is quiet.
    voice: { announcementIdleSeconds: 0 },
  });
  if (!config) throw new Error(problems.join('\n'));
  gate = await startApp({ config: simulationConfig(config), logger: pino({ level: process.env.GATE_TEST_LOG ?? 'silent' }), env: {} });
  await hub.until(async () => (await hub.reader.histories()).some((h) => h.gate === 'g1' && h.state?.status === 'online'), 'g1 online at the hub', 30_000);
  b = await launchKioskBrowser({ width: 1920, height: 1080 });
  page = b.page;
}, 120_000);

afterAll(async () => {
  await b?.close();
  await gate?.stop();
  await hub?.stop();
  await broker?.close();
});

describe('the office\'s announcements', () => {
  it('sends a notice to g1 through the preview and confirmation; g1 applies it and its loudspeaker plays it', { timeout: 90_000 }, async () => {
    const mock = mockVoices.get('main');
    if (!mock) throw new Error('the gate has no mock loudspeaker');
    await page.goto(hub.officeUrl as string);
    await page.locator('input[name=name]').fill('admin');
    await page.locator('input[name=password]').fill(hub.adminPassword as string);
    await page.getByTestId('login').click();
    await page.getByTestId('nav-notices').click();
    await page.getByTestId('notice-empty').waitFor();

    // A time that is not one is refused in the page, naming the form.
    await page.getByTestId('notice-zh').fill(NOTICE);
    await page.getByTestId('notice-times').fill('25:00');
    await page.getByTestId('notice-add').click();
    await poll(() => page.locator('#toast').textContent()).toContain('时:分');
    expect(await page.locator('[data-testid=notice-list] tr[data-notice]').count()).toBe(0);

    await page.getByTestId('notice-mode').selectOption('every');
    await page.getByTestId('notice-every').fill('1');
    await page.getByTestId('notice-add').click();
    await page.locator('[data-testid=notice-list] tr[data-notice]').first().waitFor();
    expect(await page.getByTestId('notice-list').textContent()).toContain('空闲时每1分钟');
    await shot('notices-zh');

    const heard = new Promise<{ text: string; urgency: number }>((resolve) => {
      const off = mock.onSpoken((r) => {
        if (r.text === NOTICE) {
          off();
          resolve(r);
        }
      });
    });
    await page.getByTestId('notices-preview').click();
    await page.getByTestId('preview').waitFor();
    expect(await page.getByTestId('preview').textContent()).toContain('g1');
    await page.getByTestId('word-next').click();
    expect(await page.getByTestId('word-confirm').textContent()).toContain('1 条广播通知');
    await shot('notices-confirm-zh');
    await page.getByTestId('word-send').click();

    // g1's answer, in the history on this screen.
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-testid=answer-g1]').getAttribute('data-result')).toBe('applied');
    expect(await page.locator('[data-testid=word-row]').first().textContent()).toContain('广播通知');
    expect(hubList()).toMatchObject([{ source: 'hub', text: NOTICE, every: 1 }]);
    const version = gate.ledger.policyStates().find((p) => p.kind === 'announcements')?.version;
    expect(version).toBeGreaterThan(0);
    // Played on the idle lane, as a notice (below every prompt).
    expect(await heard).toMatchObject({ urgency: 0 });
    const audit = await page.evaluate(() => fetch('/office/api/audit?action=downlink.send').then((r) => r.json()));
    expect(audit.entries[0]).toMatchObject({ user: 'admin', target: `${SITE}/announcements@${version}` });
    await page.getByTestId('notice-last').waitFor();
    expect(await page.getByTestId('notice-last').textContent()).toContain(`版本 ${version}`);
    await shot('notices-sent-zh');
    await page.getByTestId('lang').click();
    await page.locator('main[data-lang="en"]').waitFor();
    expect(await page.getByTestId('notice-last').textContent()).toContain(`Last sent: version ${version}`);
    await shot('notices-sent-en');
    await page.getByTestId('lang').click();
    await page.locator('main[data-lang="zh-CN"]').waitFor();

    // The list sent last comes back for editing: removed and sent again, g1 has none of the office's.
    await page.getByTestId('notice-remove').click();
    await page.getByTestId('notice-empty').waitFor();
    await page.getByTestId('notices-preview').click();
    await page.getByTestId('word-next').click();
    await page.getByTestId('word-send').click();
    await poll(() => hubList().length).toBe(0);
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-testid=answer-g1]').getAttribute('data-result')).toBe('applied');
  });
});
