// The declaration page in real Chromium (Debian's /usr/bin/chromium via playwright-core) as a phone
// shows it, at 360×640 and 390×844, touch and mobile: the form, every error state, the risk-area
// outcome, a household declared and its code, reopening from the same phone. Screenshots go to a
// scratch folder; `npm run screenshots:declare` writes them to docs/screenshots/declare-*.png.

import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../bench/kiosk.js';
import { publicKeyToRaw } from '../../src/gate/credentials/token.js';
import { declarePlugin } from '../../src/hub/declare/server.js';
import { DeclarationStore, migrateDeclare } from '../../src/hub/declare/storage.js';
import { type OpenedDb, openHubDb } from '../../src/hub/storage/open.js';
import { tempDir } from '../helpers/temp-dir.js';
import { A, B, declareConfig, RISK } from './declare-support.js';

const SHOTS = process.env.DECLARE_SHOTS_DIR ?? tempDir('declare-shots-');
const SIZES = [
  { width: 360, height: 640 },
  { width: 390, height: 844 },
];
let opened: OpenedDb;
let app: FastifyInstance;
let url = '';
let browser: Browser;
const keys = generateKeyPairSync('ed25519');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  opened = await openHubDb({ dataDir: tempDir('declare-browser-') });
  const store = new DeclarationStore(await migrateDeclare(opened.db as never, opened.engine));
  app = Fastify({ logger: false });
  await app.register(declarePlugin, {
    config: declareConfig({ siteName: '幸福村', testMaxAgeDays: 7, limits: { perPhonePerHour: 2 } }),
    site: 'demo-village',
    store,
    keys: { kid: 'hk1', privateKey: keys.privateKey, publicKeyRaw: publicKeyToRaw(keys.publicKey) },
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (err) {
    throw new Error(`Cannot start /usr/bin/chromium (Debian package "chromium"; scripts/test-deps.mjs installs it): ${(err as Error).message}`);
  }
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await opened?.close();
});

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const daysAgo = (n: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - n * 86_400_000));

async function phone(size: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport: size, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  (page as Page & { problems: string[] }).problems = problems;
  return page;
}

/** What the phone's screen shows, scrolled to `at` (the state the shot is about). */
async function shot(page: Page, name: string, size: { width: number; height: number }, at?: string): Promise<void> {
  if (at) await page.locator(at).first().evaluate((e) => e.scrollIntoView({ block: 'center' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `declare-${name}-${size.width}x${size.height}.png`) });
}

const err = (page: Page, field: string) => page.locator(`.err[data-for="${field}"]`);

describe.each(SIZES)('the declaration form at $width×$height', (size) => {
  let page: Page;
  const tag = `${size.width}`;

  beforeAll(async () => {
    page = await phone(size);
  });
  afterAll(async () => {
    await page?.context().close();
  });

  it('loads as a phone shows it: one column, no sideways scroll, big targets', async () => {
    await page.goto(`${url}/`);
    await page.locator('.member input[name=name]').waitFor();
    expect(await page.locator('#site-name').textContent()).toBe('幸福村');
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('input[type=text], input[type=tel], input[type=date], select, button:not(.link), .tile, .chip')]
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => [e.id || e.getAttribute('name') || e.className, Math.round(e.getBoundingClientRect().height)] as const)
        .filter(([, h]) => h < 48),
    );
    expect(small).toEqual([]);
    await expect.poll(() => page.locator('#outcome').getAttribute('data-outcome')).toBe('escort');
    await shot(page, 'form', size);
  });

  it('shows every problem under its field, in zh-CN with English', async () => {
    await page.locator('#submit').click();
    await page.locator('#summary').waitFor({ state: 'visible' });
    for (const [field, zh] of [
      ['phone', '手机号'],
      ['origin', '从何处来'],
      ['host', '拜访'],
      ['consent', '同意'],
      ['members.0.name', '姓名'],
      ['members.0.idNumber', '身份证号'],
      ['members.0.testDate', '核酸'],
    ] as const) {
      await expect.poll(() => err(page, field).textContent(), { message: field }).toContain(zh);
    }
    expect(await page.locator('#phone').getAttribute('class')).toContain('invalid');
    expect(await page.locator('#summary').textContent()).toMatch(/有 \d+ 处需要修改，已标红.*things to fix/);
    await shot(page, 'errors', size, '.err[data-for="members.0.idNumber"]');
    await shot(page, 'errors-bottom', size, '.err[data-for="consent"]');
  });

  it('checks the ID number at once with the same check character as the gate', async () => {
    const id = page.locator('.member input[name=idNumber]');
    await id.fill(`${A.slice(0, 17)}${A[17] === '0' ? '1' : '0'}`);
    await page.locator('.member input[name=name]').focus();
    await expect.poll(() => err(page, 'members.0.idNumber').textContent()).toContain('校验位');
    await id.fill('1101011990');
    await page.locator('.member input[name=name]').focus();
    await expect.poll(() => err(page, 'members.0.idNumber').textContent()).toContain('18位');
    await shot(page, 'id-check', size, '.member input[name=idNumber]');
  });

  it('tells honestly what the gate will do with a risk area, for a visitor and for a resident', async () => {
    await page.locator('#origin-pick').selectOption(RISK);
    await expect.poll(() => page.locator('#outcome').getAttribute('data-outcome')).toBe('refuse');
    expect(await page.locator('#outcome').textContent()).toMatch(/不得进入.*某市某区/);
    await shot(page, 'risk-refused', size, '#outcome');
    await page.locator('input[name=kind][value=return]').check();
    await expect.poll(() => page.locator('#outcome').getAttribute('data-outcome')).toBe('quarantine');
    expect(await page.locator('#visit-only').isHidden()).toBe(true);
    await shot(page, 'risk-returnee', size, '#outcome');
    await page.locator('input[name=kind][value=visit]').check();
    await page.locator('#origin-pick').selectOption('杭州市西湖区');
    await page.locator(`#travel input[value="${RISK}"]`).check();
    await expect.poll(() => page.locator('#outcome').getAttribute('data-outcome')).toBe('refuse');
    await page.locator(`#travel input[value="${RISK}"]`).uncheck();
  });

  it('says a test older than the policy allows will not do', async () => {
    await page.locator('.member input[name=name]').fill('孙访客');
    await page.locator('.member input[name=idNumber]').fill(A);
    await page.locator('.member input[name=testDate]').fill(daysAgo(9));
    await page.locator('#submit').click();
    await expect.poll(() => err(page, 'members.0.testDate').textContent()).toMatch(/超过7天，卡口将不予通过/);
    await shot(page, 'test-too-old', size, '.err[data-for="members.0.testDate"]');
  });

  it('keeps what was typed when the network is down', async () => {
    await page.route('**/api/declarations', (r) => r.abort());
    await page.locator('#phone').fill(`1391234${tag}1`.slice(0, 11));
    await page.locator('#submit').click();
    await expect.poll(() => page.locator('#summary').textContent()).toContain('网络不通');
    expect(await page.locator('.member input[name=name]').inputValue()).toBe('孙访客');
    await shot(page, 'offline', size, '#summary');
    await page.unroute('**/api/declarations');
  });

  it('declares a household from one phone and shows its code and a plain summary', async () => {
    await page.locator('.member input[name=testDate]').fill(daysAgo(1));
    await page.locator('#add-member').click();
    const second = page.locator('.member').nth(1);
    await second.locator('input[name=name]').fill('孙小妹');
    await second.locator('input[name=idNumber]').fill(B);
    await second.locator('input[name=testDate]').fill(today());
    await second.locator('.symptoms input[value=cough]').check();
    await page.locator('#host').fill('3组12号 张家');
    await page.locator('#consent').check();
    await page.locator('#submit').click();
    await page.locator('[data-testid=result]').waitFor();
    expect(page.url()).toMatch(/\/d\/[A-Za-z0-9_-]{22}$/);
    expect(await page.locator('svg.qr').count()).toBe(3);
    expect(await page.locator('body').textContent()).toMatch(/全家 2 人一码[\s\S]*孙访客[\s\S]*孙小妹[\s\S]*咳嗽/);
    expect(await page.locator('[data-testid=outcome]').getAttribute('class')).toContain('warn');
    const qr = await page.locator('svg.qr').first().boundingBox();
    expect(qr?.width).toBeGreaterThanOrEqual(Math.min(300, size.width - 60));
    await shot(page, 'result', size);
    await shot(page, 'result-summary', size, '.people');
  });

  it('shows the code again when the same phone comes back', async () => {
    const result = page.url();
    await page.goto(`${url}/`);
    await page.locator('[data-testid=reopen]').waitFor({ state: 'visible' });
    await shot(page, 'reopen', size);
    await page.locator('[data-testid=reopen]').click();
    await page.locator('[data-testid=result]').waitFor();
    expect(page.url()).toBe(result);
  });

  it('says so when one phone declares too often, and when a code is not found', async () => {
    await page.goto(`${url}/?new=1`);
    await page.locator('.member input[name=name]').waitFor();
    const fill = async () => {
      await page.locator('.member input[name=name]').fill('周路人');
      await page.locator('.member input[name=idNumber]').fill(A);
      await page.locator('.member input[name=testDate]').fill(today());
      await page.locator('#phone').fill(`1350000${tag}9`.slice(0, 11));
      await page.locator('#origin-pick').selectOption('杭州市西湖区');
      await page.locator('#host').fill('张家');
      await page.locator('#consent').check();
    };
    for (let i = 0; i < 2; i++) {
      await fill();
      await page.locator('#submit').click();
      await page.locator('[data-testid=result]').waitFor();
      await page.goto(`${url}/?new=1`);
      await page.locator('.member input[name=name]').waitFor();
    }
    await fill();
    await page.locator('#submit').click();
    await expect.poll(() => page.locator('#summary').textContent()).toMatch(/^提交太频繁，请 60 分钟后再试Too many at once; try again in 60 minutes$/);
    await shot(page, 'rate-limited', size, '#summary');
    await page.goto(`${url}/d/${'x'.repeat(22)}`);
    expect(await page.locator('[data-testid=not-found]').textContent()).toContain('找不到');
    await shot(page, 'not-found', size);
    expect((page as Page & { problems: string[] }).problems, JSON.stringify((page as Page & { problems: string[] }).problems)).toEqual([]);
  });
});
