// The office's screens in real Chromium against a real hub reading a real Mosquitto: sign-in, the
// overview's gate cards, a fever at gate g1 arriving live with the alarm on every open screen, the
// acknowledgement with a note in the browser, the ack in the audit log. Screenshots at 1920×1080 and
// 390×844 in zh-CN and en go to a scratch folder ($OFFICE_SHOTS; `node scripts/office-screenshots.mjs`
// refreshes docs/screenshots/hub-*.png).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKioskBrowser } from '../../bench/kiosk.js';
import { localDay } from '../../src/hub/office/start.js';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { tempDir } from '../helpers/temp-dir.js';
import { gateClient, outboxMessage, SITE, startTestHub, type TestHub, uplink } from './harness.js';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000, interval: 25 });
const SHOTS = process.env.OFFICE_SHOTS ?? join(tmpdir(), 'office-shots');
const SIZES = [
  { width: 1920, height: 1080 },
  { width: 390, height: 844 },
];

let broker: TestBroker;
let hub: TestHub;
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;
let page: Page;
const gates: Record<string, MqttClient> = {};
const received: Array<{ gate: string; kind: string; body: Record<string, unknown> }> = [];

function publish(gate: string, leaf: string, body: unknown, retain = false): Promise<void> {
  return new Promise((resolve, reject) => (gates[gate] as MqttClient).publish(uplink(gate, leaf), JSON.stringify(body), { qos: 1, retain }, (err) => (err ? reject(err) : resolve())));
}

function gateState(gate: string, seq: number, o: { zoneLevel?: string; outboxDepth?: number } = {}) {
  return { v: 1, site: SITE, gate, seq, status: 'online', reason: 'connected', at: Date.now(), clockSynced: true, outboxDepth: o.outboxDepth ?? 0, zoneLevel: o.zoneLevel ?? 'normal', versions: {}, devices: [], software: 'test' };
}
function gateCounts(gate: string, seq: number, entries: number) {
  return { v: 1, site: SITE, gate, seq, at: Date.now(), day: localDay(Date.now()), entries, exits: Math.floor(entries / 2), peopleInside: 40, visitorsInside: 2, refusals: 3, refusalsByReason: { 'code.red': 2, 'risk.visitor': 1 }, feverAlerts: 0, overrides: 0 };
}

async function shot(name: string, p: Page = page): Promise<void> {
  for (const size of SIZES) {
    await p.setViewportSize(size);
    await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await p.screenshot({ path: join(SHOTS, `hub-${name}-${size.width}x${size.height}.png`), fullPage: size.width < 600 });
    // Nothing wider than the screen on a phone.
    expect(await p.evaluate(() => document.documentElement.scrollWidth), `${name} at ${size.width}`).toBeLessThanOrEqual(size.width);
  }
  await p.setViewportSize(SIZES[0] as { width: number; height: number });
}

async function setLang(lang: 'zh-CN' | 'en', p: Page = page): Promise<void> {
  if ((await p.evaluate(() => document.documentElement.lang)) !== lang) await p.getByTestId('lang').click();
  await poll(() => p.locator(`main[data-lang="${lang}"]`).count()).toBe(1);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  broker = await startMosquitto({ site: SITE, gates: ['g1', 'g2'] });
  hub = await startTestHub({ broker, dataDir: tempDir('office-') });
  for (const g of ['g1', 'g2']) {
    gates[g] = await gateClient(broker, g);
    // A gate's answer to the office's word: g1 applies everything; g2 applies a zone level and refuses a risk-area list.
    let seq = 100;
    (gates[g] as MqttClient).on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString());
      const kind = topic.split('/cmd/')[1] as string;
      const refuse = g === 'g2' && kind === 'risk-areas';
      received.push({ gate: g, kind, body });
      const data = { ref: { topic, kind, version: body.version, id: body.id }, result: refuse ? 'rejected' : 'applied', reasons: refuse ? [{ code: 'apply.failed', zh: '写入本地台账失败', en: 'Could not apply it to the ledger' }] : [], currentVersion: body.version };
      void publish(g, 'result', JSON.parse(outboxMessage(g, ++seq, { kind: 'roster-ack', data })));
    });
    await (gates[g] as MqttClient).subscribeAsync(`checkpoint/v1/${SITE}/cmd/#`, { qos: 1 });
  }
  await publish('g1', 'state', gateState('g1', 10, { zoneLevel: 'precaution' }), true);
  await publish('g2', 'state', gateState('g2', 5, { outboxDepth: 12 }), true);
  await publish('g1', 'counts', gateCounts('g1', 10, 128), true);
  await publish('g2', 'counts', gateCounts('g2', 5, 64), true);
  for (let s = 1; s <= 10; s++) {
    const data = { type: 'passage', id: `p-${s}`, lane: 'main', direction: s % 3 ? 'in' : 'out', outcome: s === 4 ? 'refused' : 'admitted', subject: { kind: 'person', id: `pc-00${s % 4}`, name: ['张桂兰', '李建国', '王秀英', '陈小明'][s % 4], idTail: '0023' }, temperatures: [{ celsius: 36.4, source: 'ir', at: Date.now() }], reasons: s === 4 ? [{ code: 'code-red', zh: '健康码红码', en: 'Red health code' }] : [] };
    // Within the last 24 hours, for the overview's chart: 2 in each of the last 5 hours.
    await publish('g1', 'passages', { ...JSON.parse(outboxMessage('g1', s, { data })), at: Date.now() - (s % 5) * 3_600_000 });
  }
  await hub.until(async () => (await hub.reader.histories()).length === 2 && (await hub.reader.count('passages')) === 10, 'both gates known');
  b = await launchKioskBrowser(SIZES[0], ['--autoplay-policy=no-user-gesture-required']);
  page = b.page;
}, 60_000);

afterAll(async () => {
  await b?.close();
  for (const c of Object.values(gates)) c.end(true);
  await hub?.stop();
  await broker?.close();
});

describe('the office in Chromium', () => {
  it('refuses a wrong password, signs the admin in with the one-time password, and shows both gates', async () => {
    expect(hub.adminPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    await page.goto(hub.officeUrl as string);
    await page.locator('input[name=name]').fill('admin');
    await page.locator('input[name=password]').fill('not-the-password');
    await page.getByTestId('login').click();
    await poll(() => page.locator('.login .err').textContent()).toContain('用户名或密码错误');
    await shot('login');
    await page.locator('input[name=password]').fill(hub.adminPassword as string);
    await page.getByTestId('login').click();
    await poll(() => page.locator('[data-testid^=gate-]').count()).toBe(2);
    expect(await page.getByTestId('gate-test-site-g1').textContent()).toContain('防范');
    expect(await page.getByTestId('gate-test-site-g1').textContent()).toContain('128');
    // Refusals in the gate's words, not its codes.
    const reasons = page.getByTestId('gate-test-site-g1').getByTestId('refusal-reasons');
    expect(await reasons.textContent()).toContain('健康码红码，不予通行2');
    expect(await reasons.textContent()).toContain('14天内有中高风险地区旅居史');
    expect(await page.locator('main').textContent()).not.toContain('code.red');
    // The 24-hour chart (uPlot, served by the hub): every passage of the last 24 hours, per gate.
    await poll(() => page.locator('[data-testid=chart][data-drawn=true] canvas').count()).toBe(1);
    expect(await page.getByTestId('chart').getAttribute('data-total')).toBe('10');
    expect(await page.locator('.chart .u-legend').textContent()).toContain('test-site/g2');
    await shot('overview-zh');
    await setLang('en');
    expect(await page.getByTestId('gate-test-site-g2').textContent()).toContain('Online');
    expect(await reasons.textContent()).toContain('Red health code; not admitted2');
    await poll(() => page.locator('[data-testid=chart][data-drawn=true] canvas').count()).toBe(1);
    await shot('overview-en');
    await setLang('zh-CN');
  });

  it('shows a fever at g1 live with the alarm on every open screen; acknowledged with a note it stops, and the ack is audited', async () => {
    const second = await b.context.newPage();
    await second.goto(`${hub.officeUrl}#alerts`);
    await poll(() => second.evaluate(() => document.body.dataset.live)).toBe('connected');
    await poll(() => page.evaluate(() => document.body.dataset.live)).toBe('connected');
    expect(await page.locator('#alarm').isHidden()).toBe(true);
    const sent = Date.now();
    await publish('g1', 'alerts', JSON.parse(outboxMessage('g1', 11, { kind: 'alert', data: { type: 'alert', id: 'fever-1', kind: 'fever', severity: 'critical', lane: 'lane-1', passageId: 'p-11', text: { zh: '体温 38.4℃，请复测', en: '38.4 °C, measure again' }, at: Date.now() } })));
    await poll(() => page.getByTestId('unacked-critical').textContent()).toBe('1');
    const seenMs = Date.now() - sent;
    console.log(`fever at g1 → on the overview in Chromium: ${seenMs} ms`);
    for (const p of [page, second]) {
      await poll(() => p.locator('#alarm').isVisible()).toBe(true);
      await poll(() => p.evaluate(() => (window as unknown as { officeAlarm: { sounding: boolean; beeps: number } }).officeAlarm.beeps)).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('alarm-text').textContent()).toContain('危急告警未确认：1');
    expect(await page.getByTestId('gate-test-site-g1').getAttribute('class')).toContain('critical');
    await shot('overview-alarm-zh');

    await page.getByTestId('nav-alerts').click();
    await poll(() => page.getByTestId('alert').count()).toBe(1);
    expect(await page.getByTestId('alert').textContent()).toContain('卡口尚未记录交接');
    // The gate's volunteer records the hand-over: it arrives live on the fever alert.
    const handover = { type: 'fever-handling', passageId: 'p-11', at: Date.now(), called: '镇卫生院', calledAt: Date.now() - 60_000, handedTo: '镇卫生院 王医生', handedAt: Date.now(), outcome: 'collected', updatedBy: 'vol-1', updatedAt: Date.now() };
    await publish('g1', 'corrections', JSON.parse(outboxMessage('g1', 12, { kind: 'correction', data: handover })));
    await poll(() => page.getByTestId('handover').count()).toBe(1);
    expect(await page.getByTestId('handover').textContent()).toContain('交接给 镇卫生院 王医生');
    expect(await page.getByTestId('handover').textContent()).toContain('卡口结果: 已接走');
    await setLang('en');
    expect(await page.getByTestId('handover').textContent()).toContain('Handed to 镇卫生院 王医生');
    await shot('alerts-en');
    await setLang('zh-CN');
    await shot('alerts-zh');
    await page.getByTestId('ack').click();
    await page.locator('[data-testid=ack-form] textarea').fill('已通知村医，10分钟后复测');
    await page.getByTestId('ack-submit').click();
    await poll(() => page.getByTestId('acked').textContent()).toContain('已通知村医，10分钟后复测');
    expect(await page.getByTestId('acked').textContent()).toContain('admin');
    for (const p of [page, second]) await poll(() => p.locator('#alarm').isHidden()).toBe(true);
    expect(await second.evaluate(() => (window as unknown as { officeAlarm: { sounding: boolean } }).officeAlarm.sounding)).toBe(false);
    await shot('alerts-acked-zh');

    const audit = await page.evaluate(() => fetch('/office/api/audit?action=alert.ack').then((r) => r.json()));
    expect(audit.entries[0]).toMatchObject({ user: 'admin', action: 'alert.ack', target: 'test-site/g1/1/11', detail: { note: '已通知村医，10分钟后复测' } });
    await page.getByTestId('nav-audit').click();
    await poll(() => page.getByTestId('audit').textContent()).toContain('alert.ack');
    await shot('audit-zh');
    await second.close();
  });

  it('closes the alert with an outcome, assigned to the doctor first', async () => {
    await page.evaluate(async () => {
      const me = await fetch('/office/api/me').then((r) => r.json());
      const r = await fetch('/office/api/users', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf }, body: JSON.stringify({ name: 'doctor1', display: '王医生', role: 'doctor', password: 'doctor-password-1' }) });
      if (!r.ok) throw new Error(await r.text());
    });
    await page.getByTestId('nav-alerts').click();
    await poll(() => page.getByTestId('assign').count()).toBe(1);
    await page.getByTestId('assign').click();
    await page.locator('[data-testid=assign-form] select').selectOption('doctor1');
    await page.getByTestId('assign-submit').click();
    await poll(() => page.getByTestId('alert').first().textContent()).toContain('指派给: doctor1');
    await page.getByTestId('close').click();
    await page.locator('[data-testid=close-form] select').selectOption('taken-to-clinic');
    await page.getByTestId('close-submit').click();
    await poll(() => page.locator('.alert.closed').count()).toBe(1);
    expect(await page.locator('.alert.closed').textContent()).toContain('医疗机构接走');
    await shot('alerts-closed-zh');
  });

  it('sends a zone level with a second confirmation to both gates of the compound, and a pasted risk-area list; each gate\'s answer and who sent it', async () => {
    await page.getByTestId('nav-word').click();
    await page.getByTestId('zone-controlled').click();
    await page.getByTestId('zone-preview').click();
    await poll(() => page.getByTestId('preview').textContent()).toContain('管控');
    expect(await page.getByTestId('preview').textContent()).toContain('g2');
    await shot('word-preview-zh');
    await page.getByTestId('word-next').click();
    expect(await page.getByTestId('word-confirm').textContent()).toContain('由「防范/常态」调整为「管控」');
    expect(received.filter((r) => r.kind === 'zone')).toHaveLength(0);
    await shot('word-confirm-zh');
    await page.getByTestId('word-send').click();
    await poll(() => page.locator('[data-testid=word-row] [data-result=applied]').count()).toBe(2);
    const zone = received.filter((r) => r.kind === 'zone');
    expect(zone.map((r) => r.gate).sort()).toEqual(['g1', 'g2']);
    expect(zone[0]?.body).toMatchObject({ site: SITE, level: 'controlled', version: 1 });
    expect(await page.getByTestId('word-row').first().textContent()).toContain('admin');

    await page.getByTestId('areas').fill('湖北省武汉市江岸区\n河北省石家庄市藁城区\n湖北省武汉市江岸区');
    await page.getByTestId('areas-preview').click();
    await poll(() => page.getByTestId('preview').textContent()).toContain('2');
    await page.getByTestId('word-next').click();
    await page.getByTestId('word-send').click();
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=rejected]').count()).toBe(1);
    await poll(() => received.filter((r) => r.kind === 'risk-areas').length).toBe(2);
    for (const r of received.filter((r) => r.kind === 'risk-areas')) expect(r.body.areas).toEqual(['湖北省武汉市江岸区', '河北省石家庄市藁城区']);
    expect(await page.getByTestId('word-row').first().textContent()).toContain('写入本地台账失败');
    await shot('word-history-zh');
    await setLang('en');
    await shot('word-history-en');
    await setLang('zh-CN');
    const audit = await page.evaluate(() => fetch('/office/api/audit?action=downlink.send').then((r) => r.json()));
    expect(audit.entries.map((e: { target: string }) => e.target)).toEqual([`${SITE}/risk-areas@1`, `${SITE}/zone@1`]);
  });

  it('keeps what was typed into a screen while its fresh drawing was on the way (a tap on its own tab, the redraw after a send)', async () => {
    await page.goto(`${hub.officeUrl}#word`);
    await poll(() => page.getByTestId('form-quarantine').count()).toBe(1);
    let go: () => void = () => {};
    const held = new Promise<void>((r) => {
      go = r;
    });
    await page.route('**/office/api/word/history', async (route) => {
      await held;
      await route.continue();
    });
    const kept = await page.evaluate(() => document.getElementById('app')?.dataset.kept ?? '');
    await page.getByTestId('nav-word').click();
    await page.getByTestId('q-person').fill('p-004');
    go();
    await poll(() => page.evaluate(() => document.getElementById('app')?.dataset.kept ?? '')).not.toBe(kept);
    await page.unroute('**/office/api/word/history');
    expect(await page.getByTestId('q-person').inputValue()).toBe('p-004');

    // The screen drawn again after a send counts from the tap on send: a form begun while the send
    // was on its way is kept.
    await page.reload();
    await poll(() => page.getByTestId('form-quarantine').count()).toBe(1);
    await page.getByTestId('areas').fill('湖北省武汉市江岸区');
    await page.getByTestId('areas-preview').click();
    await page.getByTestId('word-next').click();
    let sendGo: () => void = () => {};
    const sendHeld = new Promise<void>((r) => {
      sendGo = r;
    });
    let sendSeen: () => void = () => {};
    const sendArrived = new Promise<void>((r) => {
      sendSeen = r;
    });
    await page.route('**/office/api/word/send', async (route) => {
      sendSeen();
      await sendHeld;
      await route.continue();
    });
    const keptBefore = await page.evaluate(() => document.getElementById('app')?.dataset.kept ?? '');
    await page.getByTestId('word-send').click();
    await sendArrived;
    await page.getByTestId('q-person').fill('p-005');
    sendGo();
    await poll(() => page.evaluate(() => document.getElementById('app')?.dataset.kept ?? '')).not.toBe(keptBefore);
    await page.unroute('**/office/api/word/send');
    expect(await page.getByTestId('q-person').inputValue()).toBe('p-005');
    await page.reload();
    await poll(() => page.getByTestId('form-quarantine').count()).toBe(1);
  });

  it('pushes a roster spreadsheet only when every row passes the gate\'s rules (bad rows named), and sends thresholds, a quarantine release and revocations', async () => {
    // A fresh page: no redraw of the screen still on its way from the test before.
    await page.goto(`${hub.officeUrl}#word`);
    await poll(() => page.evaluate(() => document.body.dataset.live)).toBe('connected');
    await poll(() => page.getByTestId('form-roster').count()).toBe(1);
    const bad = '户号,姓名,身份证号,联系电话,地址\nA-01,张桂兰,11010519491231002X,13800138000,东村1号\nA-01,李建国,110105194912310021,13800138001,东村1号\nA-02,,,,东村2号\n';
    await page.getByTestId('roster-file').setInputFiles({ name: '花名册.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByTestId('roster-check').click();
    await poll(() => page.getByTestId('roster-problem').count()).toBe(2);
    expect(await page.locator('[data-testid=roster-problem][data-row="3"]').textContent()).toContain('身份证号');
    expect(await page.locator('[data-testid=roster-problem][data-row="4"]').textContent()).toContain('姓名');
    expect(await page.getByTestId('preview').count()).toBe(0);
    await page.getByTestId('form-roster').scrollIntoViewIfNeeded();
    await shot('word-roster-errors-zh');
    await setLang('en');
    await page.getByTestId('roster-file').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByTestId('roster-check').click();
    await poll(() => page.locator('[data-testid=roster-problem][data-row="3"]').textContent()).toContain('row 3');
    await page.getByTestId('form-roster').scrollIntoViewIfNeeded();
    await shot('word-roster-errors-en');
    await setLang('zh-CN');
    expect(received.filter((r) => r.kind === 'roster/delta')).toHaveLength(0);

    const good = '户号,姓名,身份证号,联系电话,地址,卡号\nA-01,张桂兰,11010519491231002X,13800138000,东村1号,c-101\nA-01,李建国,,13800138001,东村1号,\nA-02,王秀英,,,东村2号,c-201\n';
    await page.getByTestId('roster-file').setInputFiles({ name: '花名册.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByTestId('roster-check').click();
    await poll(() => page.getByTestId('roster-ok').count()).toBe(1);
    expect(await page.locator('[data-testid=form-roster] [data-testid=preview]').textContent()).toContain('3 人');
    await page.locator('[data-testid=form-roster] [data-testid=word-next]').click();
    await page.getByTestId('form-roster').scrollIntoViewIfNeeded();
    await shot('word-roster-confirm-zh');
    await page.getByTestId('word-send').click();
    await poll(() => received.filter((r) => r.kind === 'roster/delta').length).toBe(2);
    const roster = received.find((r) => r.kind === 'roster/delta')?.body as { persons: Array<{ name: string; idNumber?: string }>; cards: Array<{ id: string }> };
    expect(roster.persons.map((p) => p.name)).toEqual(['张桂兰', '李建国', '王秀英']);
    expect(roster.cards.map((c) => c.id)).toEqual(['c-101', 'c-201']);
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('花名册');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);

    await page.locator('[data-testid=form-policy] input[name=feverThreshold]').fill('37.2');
    await page.locator('[data-testid=form-policy] select[name=vaccinationRequired]').selectOption('true');
    await page.getByTestId('policy-preview').click();
    await poll(() => page.locator('[data-testid=form-policy] [data-testid=preview]').textContent()).toContain('37.2');
    await page.locator('[data-testid=form-policy] [data-testid=word-next]').click();
    await page.getByTestId('word-send').click();
    await poll(() => received.filter((r) => r.kind === 'policy').length).toBe(2);
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('37.2');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);
    expect(received.find((r) => r.kind === 'policy')?.body.thresholds).toEqual({ feverThreshold: 37.2, vaccinationRequired: true });

    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('q-person').fill('p-A-01-1');
    await page.getByTestId('q-action').selectOption('release');
    await page.locator('[data-testid=form-quarantine] input[name=signedBy]').fill('村医 王，村支书 李');
    await page.locator('[data-testid=form-quarantine] input[name=test5]').fill(day(7));
    await page.locator('[data-testid=form-quarantine] input[name=test11]').fill(day(1));
    await page.getByTestId('quarantine-preview').click();
    await poll(() => page.locator('[data-testid=form-quarantine] [data-testid=preview]').count()).toBe(1);
    await page.getByTestId('form-quarantine').scrollIntoViewIfNeeded();
    await shot('word-quarantine-zh');
    await page.locator('[data-testid=form-quarantine] [data-testid=word-next]').click();
    await page.getByTestId('word-send').click();
    await poll(() => received.filter((r) => r.kind === 'quarantine').length).toBe(2);
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('解除 1');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);
    expect(received.find((r) => r.kind === 'quarantine')?.body.changes).toEqual([{ personId: 'p-A-01-1', next: null, signOff: { signedBy: ['村医 王', '村支书 李'], tests: [expect.any(Number), expect.any(Number)] } }]);

    await page.getByTestId('revocations').fill('c-101\nc-999');
    await page.getByTestId('revocations-preview').click();
    await page.locator('[data-testid=form-revocations] [data-testid=word-next]').click();
    await page.getByTestId('word-send').click();
    await poll(() => received.filter((r) => r.kind === 'revocations').length).toBe(2);
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('c-999');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);
    await page.getByTestId('revocations-load').click();
    await poll(() => page.getByTestId('revocations').inputValue()).toBe('c-101\nc-999');
    await page.getByTestId('word-history').scrollIntoViewIfNeeded();
    await shot('word-history-more-zh');
    await setLang('en');
    await page.getByTestId('word-history').scrollIntoViewIfNeeded();
    await shot('word-history-more-en');
    await setLang('zh-CN');
    const audit = await page.evaluate(() => fetch('/office/api/audit?action=downlink.send').then((r) => r.json()));
    expect(audit.entries.slice(0, 4).map((e: { target: string }) => e.target)).toEqual([`${SITE}/revocations@1`, `${SITE}/quarantine@1`, `${SITE}/policy@1`, `${SITE}/roster/delta@1`]);
  });

  it('shows the passages ledger a page at a time, names masked', async () => {
    await page.getByTestId('nav-ledger').click();
    await poll(() => page.getByTestId('passage-row').count()).toBe(10);
    expect(await page.getByTestId('more').isHidden()).toBe(true);
    expect(await page.getByTestId('passages').textContent()).toContain('张**');
    expect(await page.getByTestId('passages').textContent()).not.toContain('张桂兰');
    await page.locator('select[name=gate]').selectOption('test-site/g2');
    await poll(() => page.locator('main').textContent()).toContain('没有符合条件的记录');
    await page.locator('select[name=gate]').selectOption('');
    await poll(() => page.getByTestId('passage-row').count()).toBe(10);
    await shot('passages-zh');
    await setLang('en');
    await shot('passages-en');
    await setLang('zh-CN');
  });

  it('shows visitors with where they went and whether they left, deliveries, and the quarantine register with the release sign-off; filtered by ID tail', async () => {
    const now = Date.now();
    const send = (gate: string, seq: number, kind: string, data: Record<string, unknown>, at = now) => publish(gate, kind === 'visitor' ? 'visitors' : 'events', { ...JSON.parse(outboxMessage(gate, seq, { kind, data })), at });
    const visitor = { type: 'visitor-registered', id: 'v-001', nameMasked: '赵*强', idTail: '004X', origin: '湖北省武汉市', travel: ['湖北省武汉市江岸区'], hostHouseholdId: 'A-03', reason: '探亲', registeredAt: now - 3_600_000, registeredBy: 'duty1' };
    await send('g1', 200, 'visitor', visitor, now - 3_600_000);
    await send('g2', 201, 'visitor', { ...visitor, id: 'v-002', nameMasked: '周*', idTail: '1234', hostHouseholdId: 'B-07', travel: [] }, now - 1_800_000);
    await send('g1', 202, 'visitor', { ...visitor, type: 'visitor-signed-out', signedOutAt: now - 600_000, signedOutBy: 'gate' }, now - 600_000);
    await send('g1', 203, 'state', { type: 'delivery-recorded', id: 'd-1', at: now - 900_000, company: '顺丰', parcels: 2, householdId: 'A-01', recordedBy: 'duty1' }, now - 900_000);
    const until = now + 10 * 86_400_000;
    await send('g1', 204, 'state', { type: 'quarantine-change', personId: 'p-A-01-1', cause: 'report', previous: null, next: { kind: 'home', until }, at: now - 500_000, nameMasked: '钱**', idTail: '0023', householdId: 'A-01' }, now - 500_000);
    await send('g2', 205, 'state', { type: 'quarantine-change', personId: 'p-B-02-1', cause: 'release', previous: { kind: 'home', until }, next: null, signOff: { signedBy: ['村医 王', '村支书 李'], tests: [now - 6 * 86_400_000, now - 86_400_000] }, note: '第5、11天核酸阴性', at: now - 400_000, nameMasked: '孙*', idTail: '7788' }, now - 400_000);
    await hub.until(async () => (await hub.reader.count('visitor_events')) === 4 && (await hub.reader.count('quarantine_changes')) === 2, 'the visitors, the delivery and the quarantine changes at the hub');

    await page.evaluate(() => {
      (document.getElementById('toast') as HTMLElement).hidden = true;
    });
    await page.getByTestId('nav-ledger').click();
    await page.getByTestId('ledger-visitors').click();
    await poll(() => page.getByTestId('visitor-row').count()).toBe(2);
    expect(await page.getByTestId('visitor-row').nth(1).textContent()).toContain('A-03');
    expect(await page.getByTestId('visitor-row').nth(1).textContent()).toContain('gate');
    expect(await page.getByTestId('visitor-row').first().textContent()).toContain('未离开');
    await shot('visitors-zh');
    await page.locator('input[name=idTail]').fill('004X');
    await page.locator('input[name=idTail]').press('Enter');
    await poll(() => page.getByTestId('visitor-row').count()).toBe(1);
    await setLang('en');
    await shot('visitors-en');
    await setLang('zh-CN');
    await page.locator('input[name=idTail]').fill('');
    await page.locator('input[name=idTail]').press('Enter');
    await page.getByTestId('ledger-deliveries').click();
    await poll(() => page.getByTestId('delivery-row').count()).toBe(1);
    expect(await page.getByTestId('delivery-row').textContent()).toContain('顺丰');
    await shot('deliveries-zh');
    await page.getByTestId('ledger-quarantine').click();
    await poll(() => page.getByTestId('quarantine-row').count()).toBe(2);
    expect(await page.getByTestId('quarantine-row').first().textContent()).toContain('村医 王、村支书 李');
    expect(await page.getByTestId('quarantine-row').nth(1).textContent()).toContain('居家隔离');
    await shot('quarantine-zh');
    await setLang('en');
    expect(await page.getByTestId('quarantine-row').first().textContent()).toContain('Released');
    await shot('quarantine-en');
    await setLang('zh-CN');
    await page.getByTestId('ledger-passages').click();
  });

  it('lets the admin make an account, which then signs in with its role', async () => {
    await page.getByTestId('nav-accounts').click();
    await page.locator('[data-testid=new-user] input[name=name]').fill('duty2');
    await page.locator('[data-testid=new-user] input[name=display]').fill('值班员小李');
    await page.locator('[data-testid=new-user] input[name=password]').fill('short');
    await page.getByTestId('create-user').click();
    await poll(() => page.locator('#toast').textContent()).toContain('密码至少10个字符');
    await page.locator('[data-testid=new-user] input[name=password]').fill('duty2-password-long');
    await page.getByTestId('create-user').click();
    await poll(() => page.getByTestId('users').textContent()).toContain('值班员小李');
    await shot('accounts-zh');
    // Signed in apart from this browser's session (credentials omitted: no cookie kept).
    const me = await page.evaluate(async () => {
      const r = await fetch('/office/api/login', { method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'duty2', password: 'duty2-password-long' }) });
      return r.json();
    });
    expect(me.user).toMatchObject({ name: 'duty2', role: 'duty' });
  });

  it('shows the daily report with a gate that sent none marked missing', async () => {
    const data = { type: 'daily-report', day: localDay(Date.now()), gateId: 'g1', siteId: SITE, entries: 128, exits: 64, visitors: 3, refusals: 3, refusalsByReason: {}, feverAlerts: 1, peopleInside: 40, deliveries: 17, inQuarantine: 2, inMonitoring: 6, returnees: 1, notableAlerts: 2, zeroReport: true, epidemicFreeDays: 9, zoneLevel: 'controlled', generatedAt: Date.now(), clockSynced: true };
    await publish('g1', 'reports', JSON.parse(outboxMessage('g1', 50, { kind: 'report', data })));
    await hub.until(async () => (await hub.reader.count('daily_reports')) === 1, 'the report at the hub');
    await page.getByTestId('nav-report').click();
    await poll(() => page.getByTestId('report-row').count()).toBe(2);
    expect(await page.locator('tr.missing').textContent()).toContain('g2');
    expect(await page.getByTestId('report-row').first().textContent()).toContain('128');
    // Never set by the office: the gates' own count, marked so.
    expect(await page.getByTestId(`free-${SITE}`).textContent()).toBe('9（卡口）');
    // The office sets 21 days as of today; then a close contact taken away today restarts it (0 today).
    await page.locator(`[data-testid=free-panel-${SITE}] input[name=days]`).fill('21');
    await page.locator('[data-testid=free-set] button[type=submit]').click();
    await poll(() => page.getByTestId(`free-${SITE}`).textContent()).toBe('21');
    await page.locator('[data-testid=free-case] select[name=kind]').selectOption('close-contact');
    await page.locator('[data-testid=free-case] input[name=leftDay]').fill(localDay(Date.now()));
    await page.locator('[data-testid=free-case] input[name=note]').fill('流调编号 3');
    await page.locator('[data-testid=free-case] button[type=submit]').click();
    await poll(() => page.getByTestId(`free-${SITE}`).textContent()).toBe('0');
    expect(await page.getByTestId('case').textContent()).toContain('密接');
    const audit = await page.evaluate(() => fetch('/office/api/audit').then((r) => r.json()));
    expect(audit.entries.filter((e: { action: string }) => e.action.startsWith('free-days.')).map((e: { action: string; user: string }) => `${e.user} ${e.action}`)).toEqual(['admin free-days.case', 'admin free-days.set']);
    expect(await page.getByTestId('print').getAttribute('href')).toContain('/office/assets/print.html?day=');
    await shot('report-zh');
    await setLang('en');
    await shot('report-en');
    await setLang('zh-CN');
  });
});
