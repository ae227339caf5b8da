// Checks the browser tests run inside the kiosk page: where the controls are, what text is cut or
// overflows, which words on a Chinese screen are English, how tall the verdict's letters are drawn.
import type { Page } from 'playwright-core';

declare global {
  interface Window {
    /** Every sound cue the page played (core/sound.js). */
    kioskSounds: Array<{ kind: string; volume: number; text: string }>;
  }
}

/** A 7" 800×480 panel: 5.25 px per mm. */
export const PX_PER_MM_7IN = Math.hypot(800, 480) / (7 * 25.4);

export type Box = { x: number; y: number; w: number; h: number };

/** Every visible control of the page (buttons), keyed by test id, screen or label, with its box. */
export function controlBoxes(page: Page): Promise<Record<string, Box>> {
  return page.evaluate(() => {
    const out: Record<string, Box> = {};
    for (const b of document.querySelectorAll<HTMLElement>('#app button')) {
      const r = b.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const key = b.dataset.testid ?? (b.dataset.screen ? `screen:${b.dataset.screen}` : `text:${b.textContent?.trim()}`);
      out[key] = { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width), h: Math.round(r.height) };
    }
    return out;
  });
}

/**
 * Text that is cut or runs over: a line of text outside a box that clips it (or outside the window),
 * an element whose content is wider than itself, a control not wholly on screen. Text inside a box
 * that scrolls vertically may be below the fold (it is reached by scrolling), never beside it.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = innerWidth;
    const vh = innerHeight;
    const label = (el: Element) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} "${el.textContent?.trim().slice(0, 24)}"`;
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    const clippers = (el: Element) => {
      const list: Array<{ el: Element; x: boolean; y: boolean; scrollsY: boolean }> = [];
      for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
        const cs = getComputedStyle(e);
        const x = cs.overflowX !== 'visible';
        const y = cs.overflowY !== 'visible';
        if (x || y) list.push({ el: e, x, y, scrollsY: cs.overflowY === 'auto' || cs.overflowY === 'scroll' });
      }
      return list;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim() || !visible(el) || el.closest('script, style, option, select, iframe')) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const clip = clippers(el);
      const scrolled = clip.some((c) => c.scrollsY);
      for (const r of range.getClientRects()) {
        if (!r.width) continue;
        if (r.left < -1 || r.right > vw + 1 || (!scrolled && (r.top < -1 || r.bottom > vh + 1))) {
          problems.push(`${label(el)} outside the window`);
          break;
        }
        const cut = clip.find((c) => {
          const b = c.el.getBoundingClientRect();
          return (c.x && (r.left < b.left - 1 || r.right > b.right + 1)) || (c.y && !c.scrollsY && (r.top < b.top - 1 || r.bottom > b.bottom + 1));
        });
        if (cut) {
          problems.push(`${label(el)} cut by ${label(cut.el)}`);
          break;
        }
      }
    }
    for (const el of document.querySelectorAll('body *')) {
      if (!visible(el) || el.closest('svg, select, iframe') || el.matches('input, textarea, svg')) continue;
      const cs = getComputedStyle(el);
      if (cs.display.startsWith('inline') && cs.display !== 'inline-flex' && cs.display !== 'inline-block') continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) problems.push(`${label(el)} content ${el.scrollWidth} px wider than its ${el.clientWidth} px`);
    }
    for (const b of document.querySelectorAll('button')) {
      if (!visible(b)) continue;
      const r = b.getBoundingClientRect();
      const scrolled = clippers(b).some((c) => c.scrollsY);
      if (r.left < -1 || r.right > vw + 1 || (!scrolled && (r.top < -1 || r.bottom > vh + 1))) problems.push(`${label(b)} off screen`);
    }
    return [...new Set(problems)];
  });
}

/**
 * English words on a Chinese screen. Data is not words: anything inside `.data`, typed input, and
 * identifiers (a token with a digit: hh-001, scanner-1, 浙A12345). The language button names English
 * in English on purpose. A few technical names are written so in Chinese too.
 */
export function latinWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const allowed = new Set(['PIN', 'CSV', 'XLSX', 'Excel', 'USB', 'GPIO', 'Modbus', 'gpiod', 'sysfs']);
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent ?? '';
      if (!el || !/[A-Za-z]/.test(text) || el.closest('.data, input, textarea, script, style, [data-testid="lang"]')) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      for (const token of text.split(/[\s·,，、:：;；()（）[\]「」/|]+/)) {
        if (!/[A-Za-z]/.test(token) || /\d/.test(token)) continue;
        const word = token.replace(/[^A-Za-z-]/g, '');
        if (word && !allowed.has(word)) found.push(`"${word}" in ${el.tagName.toLowerCase()} "${el.textContent?.trim().slice(0, 30)}"`);
      }
    }
    return [...new Set(found)];
  });
}

/** The verdict word's ink height in CSS px (the glyphs' drawn extent, not the line box), and its lines. */
export function verdictLetters(page: Page): Promise<{ ink: number; lines: number; text: string; cover: number }> {
  return page.evaluate(() => {
    const w = document.querySelector('[data-testid="verdict-word"]') as HTMLElement;
    const cs = getComputedStyle(w);
    const g = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
    g.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const m = g.measureText(w.textContent ?? '');
    const range = document.createRange();
    range.selectNodeContents(w);
    const lineTops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    const v = (document.querySelector('[data-testid="verdict"]') as HTMLElement).getBoundingClientRect();
    return { ink: m.actualBoundingBoxAscent + m.actualBoundingBoxDescent, lines: lineTops.size, text: w.textContent ?? '', cover: (v.width * v.height) / (innerWidth * innerHeight) };
  });
}

/**
 * Taps 下一位进 / 下一位出 and waits until the gate has taken the direction: a scan sent right after
 * the tap can otherwise reach the gate first (seen under load) and be taken the other way.
 */
export async function tapDirection(page: Page, dir: 'in' | 'out'): Promise<void> {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/lanes\/[^/]+\/direction$/.test(new URL(r.url()).pathname));
  await page.getByRole('button', { name: dir === 'in' ? '下一位进' : '下一位出' }).click();
  const body = (await (await answer).json()) as { accepted?: boolean };
  if (body.accepted !== true) throw new Error(`the gate did not take the direction ${dir}: ${JSON.stringify(body)}`);
}
