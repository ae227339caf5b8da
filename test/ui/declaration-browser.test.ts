// The kiosk's declaration dialog in real Chromium against the running gate (simulation): the lane's
// scanner reads a household's declaration code, the dialog shows each person prefilled (masked) with
// the gate's outcome, the volunteer writes the escort and registers one, the slip opens; a refused code
// shows why in large words. Screenshots go to a scratch folder (npm run screenshots:declare: docs/).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRunSignIn, launchKioskBrowser } from '../../bench/kiosk.js';
import { issueDeclaration, issueDeclarationCodes, newDeclarationId } from '../../src/gate/credentials/declaration.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type Harness, RISK_AREA, startHarness, validId } from './harness.js';

const SHOTS = process.env.DECLARE_SHOTS_DIR ?? tempDir('declare-kiosk-shots-');
let h: Harness;
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness();
  b = await launchKioskBrowser({ width: 1280, height: 800 });
  await firstRunSignIn(b.page, h.kioskUrl, '24681357');
});
afterAll(async () => {
  await b?.close();
  await h?.stop();
});

describe('a declaration scanned at the lane, on the kiosk', () => {
  it('opens the registration prefilled; the volunteer registers one person with an escort and the slip opens', async () => {
    const now = Date.now();
    const id = newDeclarationId();
    const members = [
      { name: '孙访客', idNumber: validId('11010119900307123'), phone: '13912345678', origin: '杭州市西湖区', travel: [], host: 'hh-001', purpose: '探亲', symptoms: [] },
      { name: '孙小妹', idNumber: validId('11010119920512234'), origin: '杭州市西湖区', travel: [RISK_AREA], host: 'hh-001', symptoms: ['咳嗽'] },
    ];
    h.ledger.declarations.apply([{ id, kind: 'visit', issuedAt: now, expiresAt: now + 86_400_000, members }], h.ledger.declarations.version() + 1);
    const own = h.app.keys.own;
    const codes = issueDeclarationCodes({ d: id, k: 'v', site: h.app.config.site.id, kid: own.kid, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 86_400, m: members.map((m): [string, string] => [m.name, m.idNumber.slice(-4)]) }, own.privateKey);
    await h.scan(codes.household as string);
    const dialog = b.page.getByTestId('declaration');
    await dialog.waitFor();
    const people = dialog.getByTestId('declared-member');
    expect(await people.count()).toBe(2);
    expect(await people.nth(0).textContent()).toMatch(/孙\*客.*1233[\s\S]*须专人陪同[\s\S]*1101\*{10}1233[\s\S]*139\*{4}5678/);
    expect(await people.nth(1).textContent()).toMatch(/不得进入[\s\S]*某市某区[\s\S]*咳嗽/);
    expect(await people.nth(1).getByTestId('declaration-admit').count()).toBe(0);
    await b.page.screenshot({ path: join(SHOTS, 'declare-kiosk-prefilled-1280x800.png') });

    await people.nth(0).locator('input[name=escort]').fill('李建国');
    await people.nth(0).getByTestId('declaration-admit').click();
    // The slip opens in the page, with a way back.
    await b.page.getByTestId('sheet').waitFor();
    await expect.poll(() => b.page.frameLocator('[data-testid="sheet-frame"]').locator('svg').count()).toBe(1);
    await b.page.getByTestId('sheet-back').click();
    await expect.poll(() => people.nth(0).textContent()).toContain('已凭此申报登记');
    // Registered, not yet through the gate: open (to be signed out), not inside.
    const inside = h.ledger.visitorsOpen();
    expect(inside.map((v) => [v.name, v.escort])).toContainEqual(['孙访客', '李建国']);
  });

  it('shows a refused code in large words', async () => {
    await b.page.keyboard.press('Escape');
    const now = Math.floor(Date.now() / 1000);
    const own = h.app.keys.own;
    const expired = issueDeclaration({ d: newDeclarationId(), k: 'v', site: h.app.config.site.id, kid: own.kid, iat: now - 90_000, exp: now - 3600, m: [['周路人', '1233']] }, own.privateKey);
    await h.scan(expired);
    const refused = b.page.getByTestId('declaration-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('申报已过期');
    await b.page.screenshot({ path: join(SHOTS, 'declare-kiosk-refused-1280x800.png') });
  });
});
