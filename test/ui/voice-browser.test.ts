// The loudspeaker switch in real Chromium against the daemon in simulation (its lane has the mock
// loudspeaker): a scan makes the lane speak; the volunteer mutes it from the rail (audited) and it
// stays silent; screenshots of the muted state at 800×480 and 1280×800.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKioskBrowser } from '../../bench/kiosk.js';
import { mockVoices } from '../../hardware-mocks/voice.js';
import { type Harness, startHarness } from './harness.js';
import { screenshotPath } from './screenshots.js';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000, interval: 50 });
const PIN = '24681357';

let h: Harness;
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;
let page: Page;

async function typePad(digits: string): Promise<void> {
  for (const d of digits) await page.locator(`#modal [data-key="${d}"]`).click();
  await page.getByTestId('pad-ok').click();
}

beforeAll(async () => {
  h = await startHarness();
  b = await launchKioskBrowser();
  page = b.page;
});
afterAll(async () => {
  await b?.close();
  await h?.stop();
});

describe('loudspeaker switch on the kiosk', () => {
  it('the lane speaks a scan; the switch mutes it, audited, and nothing more is said', async () => {
    await page.goto(h.kioskUrl);
    await page.getByTestId('setup-pin').click();
    await typePad(PIN);
    await typePad(PIN);
    await page.getByTestId('passage').waitFor();
    const button = page.locator('#voice-switch');
    await poll(() => button.textContent()).toBe('喇叭');
    expect(await button.getAttribute('aria-pressed')).toBe('false');

    const mock = mockVoices.get('main');
    if (!mock) throw new Error('the simulated lane has no mock loudspeaker');
    const before = mock.spoken.length;
    await h.scan(h.tokens['hh-001'] as string);
    await poll(() => mock.spoken.slice(before).map((s) => s.text)).toContain('请测体温');
    await poll(() => page.getByTestId('prompt').textContent()).toContain('请测体温');

    await button.click();
    await poll(() => button.textContent()).toBe('已静音');
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    // Red, as every refusal on the kiosk.
    expect(await button.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(179, 38, 30)');
    expect(h.app.voice.state()).toMatchObject({ muted: true, mutedBy: 'admin' });
    expect(h.ledger.auditLog({ action: 'config-change' }).some((a) => a.actor === 'admin' && a.detail.kind === 'voice-mute' && a.detail.muted === true)).toBe(true);
    for (const size of [{ width: 800, height: 480 }, { width: 1280, height: 800 }]) {
      await page.setViewportSize(size);
      const box = await button.boundingBox();
      expect(box?.height).toBeGreaterThanOrEqual(48);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(size.width);
      expect(box?.width).toBeGreaterThanOrEqual(48);
      await page.screenshot({ path: screenshotPath(`voice-muted-${size.width}x${size.height}.png`) });
    }
    const muted = mock.spoken.length;
    await h.temperature(36.5);
    // The reading is in the passage (the next stage's prompt would be said now), then the voice's turn.
    await poll(() => h.app.runtime.lanes()[0]?.passage?.temperatures?.length).toBe(1);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(mock.spoken.length).toBe(muted);

    await button.click();
    await poll(() => button.textContent()).toBe('喇叭');
    expect(h.app.voice.state().muted).toBe(false);

    // The decision reaches the loudspeaker through the daemon's door, after the relay, with its passage.
    const passageId = h.app.runtime.lanes()[0]?.passage?.id;
    await h.sim('mask', { worn: true });
    await h.sim('colour', { colour: 'green' });
    await poll(() => mock.spoken.at(-1)).toMatchObject({ text: '体温三十六点五度，正常，请通行', passageId });
  });
});
