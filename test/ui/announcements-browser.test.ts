// The 广播 screen in real Chromium against the daemon in simulation (its lane has the mock
// loudspeaker): the office's notice is listed read-only; the admin types a notice on the page's own
// keyboard, sets its time on the number pad, hears it on the loudspeaker (试听) before and after
// saving, changes it to a loop, mutes from the screen (the rail's switch follows) and deletes it —
// each save audited; a volunteer then sees the list and the switch, and nothing to change. Screenshots at 800×480 and 1280×800 (`npm run screenshots`).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRunSignIn, launchKioskBrowser } from '../../bench/kiosk.js';
import { mockVoices } from '../../hardware-mocks/voice.js';
import { type Harness, startHarness } from './harness.js';
import { latinWords, layoutProblems } from './page-checks.js';
import { screenshotPath } from './screenshots.js';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });
const PIN = '24681357';
const SIZES = [
  { width: 800, height: 480 },
  { width: 1280, height: 800 },
];

let h: Harness;
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;
let page: Page;

beforeAll(async () => {
  // The scheduler stays out of the way: after a sound, nothing plays on its own for an hour.
  h = await startHarness({ voice: { quietHours: { from: '22:00', to: '06:00', mode: 'lower', volume: 30 }, announcementIdleSeconds: 3600 } });
  b = await launchKioskBrowser();
  page = b.page;
});
afterAll(async () => {
  await b?.close();
  await h?.stop();
});

const local = () => (h.ledger.policyStates().find((p) => p.kind === 'announcements-local')?.payload as { announcements: Array<Record<string, unknown>> } | undefined)?.announcements ?? [];
const audits = (kind: string) => h.ledger.auditLog({}).filter((a) => a.detail.kind === kind && a.actor === 'admin');

/** Every control on screen at least 48 px, nothing cut, no English word on the Chinese screen. */
async function checkScreen(where: string): Promise<void> {
  const small = await page.locator('#main button:visible').evaluateAll((bs) => bs.map((x) => x.getBoundingClientRect()).filter((r) => r.width > 0 && (r.width < 48 || r.height < 48)).length);
  expect(small, `${where}: buttons under 48 px`).toBe(0);
  expect(await layoutProblems(page), where).toEqual([]);
  expect(await latinWords(page), where).toEqual([]);
}

/** Both sizes, with the toast gone; `scrollTo` is brought into view first (the small screen scrolls). */
async function shoot(name: string, scrollTo?: string): Promise<void> {
  await page.evaluate(() => {
    (document.getElementById('toast') as HTMLElement).hidden = true;
  });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    if (scrollTo) await page.locator(scrollTo).scrollIntoViewIfNeeded();
    await checkScreen(`${name} ${size.width}×${size.height}`);
    await page.screenshot({ path: screenshotPath(`kiosk-${name}-${size.width}x${size.height}.png`) });
  }
}

async function pad(digits: string): Promise<void> {
  for (const d of digits) await page.locator(`#modal [data-key="${d}"]`).click();
  await page.getByTestId('pad-ok').click();
}

describe('广播 (announcements) screen', () => {
  it('lists, adds on the page keyboard, plays now, edits, mutes and deletes, audited', { timeout: 90_000 }, async () => {
    const mock = mockVoices.get('main');
    if (!mock) throw new Error('the simulated lane has no mock loudspeaker');
    // Looped on a day that is not today (site time): it never starts by itself during the test.
    const today = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: h.app.config.site.timezone }).format(new Date()));
    const otherDay = (today + 3) % 7;
    h.ledger.applyPolicy('announcements', 2, { announcements: [{ id: 'office-1', text: { zh: '明天上午八点全员核酸检测，请带好身份证', en: 'Everyone is tested tomorrow at eight' }, every: 30, from: '08:00', to: '18:00', days: [otherDay] }] }, 'hub');
    await firstRunSignIn(page, h.kioskUrl, PIN);
    await page.locator('#rail [data-screen="announcements"]').click();

    // The office's notice: its source, its loop, no edit or delete (it is changed at the office).
    const office = page.locator('[data-notice="office-1"]');
    await office.waitFor();
    expect(await office.getAttribute('data-source')).toBe('hub');
    expect(await office.textContent()).toContain('上级下发');
    expect(await office.textContent()).toContain(`空闲时每30分钟（08:00–18:00），每周${'日一二三四五六'[otherDay]}`);
    expect(await office.getByTestId('notice-edit').count()).toBe(0);
    expect(await office.getByTestId('notice-delete').count()).toBe(0);
    await poll(() => office.getByTestId('notice-ready').textContent()).toBe('可播放');
    expect(await page.getByTestId('quiet-hours').textContent()).toContain('夜间 22:00–06:00：音量降到 30%');
    expect(await page.getByTestId('speaker-switch').textContent()).toContain('喇叭开');

    // A new notice: the words on the page's keyboard (pinyin), the time on the number pad.
    await page.getByTestId('notice-add').click();
    await page.getByTestId('notice-zh').click();
    const kbd = page.getByTestId('keyboard');
    await kbd.waitFor();
    for (const [pinyin, ch] of [['ka', '卡'], ['kou', '口'], ['guan', '关'], ['men', '门']] as const) {
      for (const k of pinyin) await kbd.locator(`[data-key="${k}"]`).click();
      await kbd.locator(`[data-candidate="${ch}"]`).first().click();
    }
    expect(await page.getByTestId('notice-zh').inputValue()).toBe('卡口关门');
    await page.getByTestId('kbd-done').click();
    await page.getByTestId('notice-add-time').click();
    await pad('2050');
    await page.locator('[data-testid="notice-times"] [data-time="20:50"]').waitFor();
    await shoot('announcement-editor', '[data-testid="notice-save"]');

    // 试听 before saving: the draft is rendered and played now, with its chime, as a notice.
    const heard = (text: string) =>
      new Promise<void>((resolve) => {
        const off = mock.onSpoken((r) => {
          if (r.text === text && r.urgency === 0) {
            off();
            resolve();
          }
        });
      });
    let playing = heard('卡口关门');
    await page.getByTestId('notice-try').click();
    await playing;
    mock.finish();
    await poll(() => audits('announcement-play').length).toBe(1);

    await page.getByTestId('notice-save').click();
    const mine = page.locator('[data-source="local"]');
    await mine.waitFor();
    expect(await mine.textContent()).toContain('卡口关门');
    expect(await mine.textContent()).toContain('每天 20:50');
    expect(local()).toMatchObject([{ text: { zh: '卡口关门' }, at: ['20:50'] }]);
    expect(h.ledger.auditLog({ action: 'policy-change' }).filter((a) => a.actor === 'admin' && a.detail.kind === 'announcements-local').length).toBe(1);
    await poll(() => mine.getByTestId('notice-ready').textContent()).toBe('可播放');
    await shoot('announcements');

    // Played now from the list.
    playing = heard('卡口关门');
    await mine.getByTestId('notice-play').click();
    await playing;
    mock.finish();

    // Changed to a loop every 30 minutes on weekdays.
    await mine.getByTestId('notice-edit').click();
    expect(await page.getByTestId('notice-zh').inputValue()).toBe('卡口关门');
    await page.locator('[data-mode="every"]').click();
    await page.getByTestId('notice-every').click();
    await pad('30');
    for (const d of [1, 2, 3, 4, 5]) await page.locator(`[data-day="${d}"]`).click();
    await page.getByTestId('notice-save').click();
    await poll(() => local()).toMatchObject([{ text: { zh: '卡口关门' }, every: 30, days: [1, 2, 3, 4, 5] }]);
    expect(local()[0]?.at).toBeUndefined();
    await poll(() => page.locator('[data-source="local"]').textContent()).toContain('空闲时每30分钟，每周一、二、三、四、五');

    // The mute switch on the screen: audited, and the rail's switch follows.
    await page.getByTestId('speaker-switch').click();
    await poll(() => page.getByTestId('speaker-switch').textContent()).toContain('已静音');
    await poll(() => page.locator('#voice-switch').textContent()).toBe('已静音');
    expect(h.app.voice.state().muted).toBe(true);
    expect(audits('voice-mute').at(-1)?.detail.muted).toBe(true);
    await page.locator('#voice-switch').click();
    await poll(() => page.getByTestId('speaker-switch').textContent()).toContain('喇叭开');

    // Deleted after a confirmation.
    await page.locator('[data-source="local"]').getByTestId('notice-delete').click();
    await page.getByTestId('notice-delete-ok').click();
    await poll(() => page.locator('[data-source="local"]').count()).toBe(0);
    expect(local()).toEqual([]);
    expect(h.ledger.auditLog({ action: 'policy-change' }).filter((a) => a.actor === 'admin' && a.detail.kind === 'announcements-local').length).toBe(3);
    expect(await office.count()).toBe(1);

    // A volunteer sees the notices, the switch and the quiet hours, and nothing to change or play.
    h.ledger.createOperator({ id: 'v01', name: '志愿者甲', role: 'volunteer', pin: '13572468' }, 'admin');
    await page.getByTestId('lock').click();
    await page.getByTestId('lock-panel').waitFor();
    await page.locator('[data-operator="v01"]').click();
    await pad('13572468');
    await page.locator('#rail [data-screen="announcements"]').click();
    await office.waitFor();
    expect(await page.getByTestId('speaker-switch').count()).toBe(1);
    expect(await page.getByTestId('quiet-hours').count()).toBe(1);
    for (const id of ['notice-add', 'notice-play', 'notice-edit', 'notice-delete']) expect(await page.getByTestId(id).count(), id).toBe(0);
  });
});
