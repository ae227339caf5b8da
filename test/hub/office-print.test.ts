// The daily report's print view on one A4 page: a township of 14 compounds (29 gates, 4 missing) is
// rendered by Chromium to PDF with page.pdf({format: 'A4'}); the PDF has one page (pdfinfo), says what
// the report says (pdftotext), and is turned into a PNG to look at (pdftoppm; docs/screenshots/
// hub-report-print-*.png via $OFFICE_SHOTS).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKioskBrowser } from '../../bench/kiosk.js';
import type { RecordMsg } from '../../src/hub/classify.js';
import { tempDir } from '../helpers/temp-dir.js';
import { officeOn } from './office-support.js';
import { passage } from './support.js';

const SHOTS = process.env.OFFICE_SHOTS ?? join(tmpdir(), 'office-shots');
const DAY = '2026-12-06';
const COMPOUNDS = ['君安花园', '星悦城一期', '星悦城二期', '汉口花园六期', '跃进家园A区', '跃进家园B区', '融创融公馆', '尚都一品', '天合园', '锦绣家园幽兰苑', '越秀一二期', '梦湖香郡', '海德公园', '金潭村'];

function report(site: string, gate: string, seq: number, i: number): RecordMsg {
  const data = { type: 'daily-report', day: DAY, gateId: gate, siteId: site, entries: 300 + i * 7, exits: 280 + i * 5, visitors: i % 4, refusals: i % 3, refusalsByReason: {}, feverAlerts: i === 5 ? 1 : 0, peopleInside: 900, deliveries: 20 + i, inQuarantine: i % 5, inMonitoring: i % 7, returnees: i % 2, notableAlerts: i % 3, zeroReport: true, epidemicFreeDays: 40 + i, zoneLevel: i === 5 ? 'controlled' : 'normal', generatedAt: 1, clockSynced: true };
  return { ...passage(seq, { site, gate }), table: 'daily_reports', data, dataJson: JSON.stringify(data) };
}

let off: Awaited<ReturnType<typeof officeOn>>;
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;
let base: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  off = await officeOn('sqlite');
  const records: RecordMsg[] = [];
  let i = 0;
  for (const site of COMPOUNDS) {
    const gates = site === '金潭村' ? ['east', 'west', 'south'] : ['north', 'south'];
    for (const gate of gates) {
      i++;
      // Every seventh gate sent no report: it is known to the hub by a passage only.
      records.push(i % 7 === 3 ? passage(1, { site, gate }) : report(site, gate, 1, i));
    }
  }
  await off.writer.write({ records, states: [], rejects: [] });
  await off.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = off.app.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
  b = await launchKioskBrowser({ width: 1280, height: 900 }, [], 'Europe/London');
  await b.page.goto(`${base}/office/`);
  const login = await b.page.evaluate(async (password) => (await fetch('/office/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password }) })).status, off.adminPassword);
  expect(login).toBe(200);
  await b.page.evaluate(async () => {
    const me = await fetch('/office/api/me').then((r) => r.json());
    const r = await fetch(`/office/api/free-days/${encodeURIComponent('金潭村')}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf }, body: JSON.stringify({ days: 58, asOf: '2026-12-06' }) });
    if (!r.ok) throw new Error(await r.text());
  });
}, 60_000);

afterAll(async () => {
  await b?.close();
  await off?.close();
});

async function printPdf(lang: 'zh-CN' | 'en'): Promise<{ file: string; pages: number; text: string; fontSize: number }> {
  const page = b.page;
  await page.goto(`${base}/office/assets/print.html?day=${DAY}&lang=${lang}`);
  await page.waitForSelector('body[data-ready=true]');
  const file = join(tempDir('office-print-'), `report-${lang}.pdf`);
  await page.pdf({ path: file, format: 'A4' });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const fontSize = Number(await page.locator('#sheet').getAttribute('data-font-size'));
  return { file, pages, text, fontSize };
}

describe('the daily report printed on A4', () => {
  it('fits a township of 14 compounds and 29 gates on one page, in zh-CN and en, and is looked at as a PNG', async () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const pdf = await printPdf(lang);
      expect(pdf.pages, lang).toBe(1);
      // Shrunk to fit, but still readable on paper.
      expect(pdf.fontSize).toBeLessThan(12);
      expect(pdf.fontSize).toBeGreaterThanOrEqual(7);
      const squeezed = pdf.text.replace(/\s+/g, '');
      if (lang === 'zh-CN') {
        expect(squeezed).toContain('疫情防控日报（各小区汇总）');
        expect(squeezed).toContain('金潭村');
        expect(squeezed).toContain('缺报');
        expect(squeezed).toContain('审核（指挥部负责人）');
      } else {
        expect(squeezed).toContain('Epidemiccontroldailyreport');
        expect(squeezed).toContain('Missing');
      }
      execFileSync('pdftoppm', ['-png', '-r', '110', '-singlefile', pdf.file, join(SHOTS, `hub-report-print-${lang === 'en' ? 'en' : 'zh'}`)]);
    }
    // The office's 58 days for 金潭村 in its subtotal; the others count by their gates.
    expect(await b.page.locator('[data-testid=free-金潭村]').textContent()).toBe('58');
  });

});
