// The system test: two simulated gates (real daemons, `gate run --simulation`) → Mosquitto →
// the hub → the office in Chromium. A fever at gate g1 shows on the overview and is acknowledged in
// the browser with a note (the ack in the audit log); a zone change authored in the browser reaches
// both gates, both answer applied, and g1 then refuses an exit; a risk-area list authored in the
// browser reaches g2, and g2 then refuses a visitor (registered before the list) who came from there;
// home quarantine set in the browser reaches both gates, g1 then refuses that person's exit, and the
// change comes back into the office's quarantine register; a roster spreadsheet uploaded in the
// browser reaches both gates, and the new card is admitted at g2.
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

  it('sends a risk-area list from the browser, and g2 then refuses a visitor who came from that area', async () => {
    const AREA = '湖北省武汉市江岸区';
    // The kiosk's admin at g2 (kiosk.adminPin of the test configuration).
    const g2 = gates.g2 as RunningDaemon;
    const login = await fetch(`${g2.kioskUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operatorId: 'admin', pin: '246810' }) });
    expect(login.status, await login.clone().text()).toBe(200);
    const cookie = (/gate_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '') ?? [''])[0];
    const kiosk = (method: string, path: string, body?: unknown) => fetch(`${g2.kioskUrl}${path}`, { method, headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    // Registered before the list: g2 does not know the area yet, no warning.
    const reg = await kiosk('POST', '/api/visitors', { name: '赵志强', travel: [AREA], origin: '湖北省武汉市', hostHouseholdId: 'hh-001', reason: '探亲', escort: '李建国' });
    expect(reg.status, await reg.clone().text()).toBe(201);
    const { slip, warnings } = (await reg.json()) as { slip: string; warnings: unknown[] };
    expect(warnings).toEqual([]);

    // The zone back to normal first (the test before sealed it: a sealed zone refuses every visitor).
    await page.getByTestId('nav-word').click();
    await page.getByTestId('zone-normal').click();
    await page.getByTestId('zone-preview').click();
    await page.getByTestId('word-next').click();
    await page.getByTestId('word-send').click();
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('常态');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);

    await page.getByTestId('areas').fill(`${AREA}\n河北省石家庄市藁城区`);
    await page.getByTestId('areas-preview').click();
    await page.getByTestId('word-next').click();
    await page.getByTestId('word-send').click();
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('风险地区');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);
    await hub.until(async () => (await hub.reader.histories()).some((h) => h.gate === 'g2' && Number((h.state?.versions as Record<string, number> | undefined)?.['risk-areas']) >= 1), 'g2 reports the risk-area list');

    const before = (await hub.reader.passages({ gate: 'g2', limit: 1 })).items[0]?.seq ?? 0;
    await sim('g2', ['scan', slip, '--in']);
    await sim('g2', ['temp', '36.5']);
    await sim('g2', ['mask']);
    await sim('g2', ['colour', 'green']);
    await hub.until(async () => Number((await hub.reader.passages({ gate: 'g2', limit: 1 })).items[0]?.seq ?? 0) > Number(before), 'the visitor\'s passage at g2 reaches the hub');
    const [visit] = (await hub.reader.passages({ gate: 'g2', limit: 1 })).items;
    expect(visit).toMatchObject({ direction: 'in', outcome: 'refused' });
    expect(visit?.data).toMatchObject({ reasons: expect.arrayContaining(['risk.visitor']) });
    // Registered after: the kiosk now warns at once.
    const again = await kiosk('POST', '/api/visitors', { name: '钱多多', travel: [AREA], hostHouseholdId: 'hh-001', escort: '李建国' });
    expect(((await again.json()) as { warnings: Array<{ code: string }> }).warnings.map((w) => w.code)).toEqual(['risk-area']);
  });

  it('sets home quarantine from the browser: both gates apply it, g1 refuses the person\'s exit, and the register shows it', async () => {
    await page.getByTestId('nav-word').click();
    await page.getByTestId('q-person').fill('p-004');
    await page.getByTestId('q-action').selectOption('set');
    await page.locator('[data-testid=form-quarantine] select[name=kind]').selectOption('home');
    await page.locator('[data-testid=form-quarantine] input[name=until]').fill(new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10));
    await page.getByTestId('quarantine-preview').click();
    await page.locator('[data-testid=form-quarantine] [data-testid=word-next]').click();
    await page.getByTestId('word-send').click();
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('隔离');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);
    await hub.until(async () => (await hub.reader.count('quarantine_changes')) >= 2, 'both gates send the quarantine change up');

    const before = (await hub.reader.passages({ gate: 'g1', limit: 1 })).items[0]?.seq ?? 0;
    await sim('g1', ['scan', 'pc-004', '--out']);
    await hub.until(async () => Number((await hub.reader.passages({ gate: 'g1', limit: 1 })).items[0]?.seq ?? 0) > Number(before), 'the exit at g1 reaches the hub');
    const [exit] = (await hub.reader.passages({ gate: 'g1', limit: 1 })).items;
    expect(exit).toMatchObject({ direction: 'out', outcome: 'refused' });
    expect(JSON.stringify(exit?.data)).toMatch(/quarantine/);

    await page.getByTestId('nav-ledger').click();
    await page.getByTestId('ledger-quarantine').click();
    await poll(() => page.getByTestId('quarantine-row').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('quarantine-row').first().textContent()).toContain('陈*明');
    expect(await page.getByTestId('quarantine-row').first().textContent()).toContain('居家隔离');
  });

  it('pushes a roster spreadsheet from the browser: both gates apply it, and the new card is admitted at g2', async () => {
    await page.getByTestId('nav-word').click();
    const csv = '户号,姓名,身份证号,地址,卡号\nhh-101,周新民,11010519491231002X,5号楼101,pc-101\n';
    await page.getByTestId('roster-file').setInputFiles({ name: '新增住户.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('roster-check').click();
    await poll(() => page.getByTestId('roster-ok').count()).toBe(1);
    await page.locator('[data-testid=form-roster] [data-testid=word-next]').click();
    await page.getByTestId('word-send').click();
    await poll(() => page.getByTestId('word-row').first().textContent()).toContain('新增住户.csv');
    await poll(() => page.locator('[data-testid=word-row]').first().locator('[data-result=applied]').count()).toBe(2);

    const before = (await hub.reader.passages({ gate: 'g2', limit: 1 })).items[0]?.seq ?? 0;
    await sim('g2', ['scan', 'pc-101', '--in']);
    await sim('g2', ['temp', '36.5']);
    await sim('g2', ['mask']);
    await sim('g2', ['colour', 'green']);
    await hub.until(async () => Number((await hub.reader.passages({ gate: 'g2', limit: 1 })).items[0]?.seq ?? 0) > Number(before), 'the entry at g2 reaches the hub');
    const [entry] = (await hub.reader.passages({ gate: 'g2', limit: 1 })).items;
    expect(entry).toMatchObject({ direction: 'in', outcome: 'admitted' });
    expect(entry?.data).toMatchObject({ subject: { id: 'pc-101', householdId: 'hh-101' } });
  });
});
