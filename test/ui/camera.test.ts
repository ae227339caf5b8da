// Camera scanning in the page: Chromium's fake camera plays a video of a pass card's QR code, the page
// decodes it with @zxing/library (served by the daemon) and the passage appears on the live screen.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRunSignIn, launchKioskBrowser } from '../../bench/kiosk.js';
import { qrModules } from '../../src/cards/qr-svg.js';
import { type Harness, startHarness } from './harness.js';

/** expect.poll with room for a loaded CI machine (its default gives up after 1 s). */
const poll = <T>(fn: () => T | Promise<T>, opts: { timeout?: number } = {}) => expect.poll(fn, { timeout: 10_000, interval: 50, ...opts });

/** One Y4M frame (4:2:0, grey) showing the QR code of `text` with a quiet zone. */
function qrVideo(text: string, size = 640): Buffer {
  const rows = qrModules(text);
  const n = rows.length + 8;
  const scale = Math.floor(size / n);
  const off = Math.floor((size - n * scale) / 2) + 4 * scale;
  const y = Buffer.alloc(size * size, 235);
  for (const [my, row] of rows.entries()) {
    for (const [mx, dark] of row.entries()) {
      if (!dark) continue;
      for (let dy = 0; dy < scale; dy++) {
        const line = (off + my * scale + dy) * size;
        y.fill(16, line + off + mx * scale, line + off + (mx + 1) * scale);
      }
    }
  }
  const chroma = Buffer.alloc((size / 2) * (size / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${size} H${size} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), y, chroma]);
}

let h: Harness;
let b: Awaited<ReturnType<typeof launchKioskBrowser>>;
let dir = '';

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'kiosk-camera-'));
  const video = join(dir, 'card.y4m');
  writeFileSync(video, qrVideo(h.tokens['hh-001'] as string));
  b = await launchKioskBrowser(undefined, ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
});

afterAll(async () => {
  await b?.close();
  await h?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('camera scanning', () => {
  it('reads a pass card from the camera with @zxing/library and starts its passage', async () => {
    await firstRunSignIn(b.page, h.kioskUrl, '24681357');
    await b.page.getByTestId('camera').click();
    try {
      await poll(() => b.page.getByTestId('passage').getAttribute('data-outcome'), { timeout: 15_000 }).toBe('pending');
    } catch (err) {
      const state = await b.page.evaluate(() => {
        const v = document.querySelector('video');
        if (!v) return 'no video';
        const c = document.createElement('canvas');
        c.width = v.videoWidth;
        c.height = v.videoHeight;
        const g = c.getContext('2d') as CanvasRenderingContext2D;
        g.drawImage(v, 0, 0);
        const d = g.getImageData(0, 0, c.width || 1, c.height || 1).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if ((d[i] ?? 255) < 80) dark++;
        return `video ${v.videoWidth}×${v.videoHeight} ready ${v.readyState} paused ${v.paused} dark ${dark} modal "${document.getElementById('modal')?.textContent}"`;
      });
      throw new Error(`camera scan did not start a passage: ${state}`, { cause: err });
    }
    expect(await b.page.getByTestId('passage').textContent()).toContain('hh-001');
    expect(h.app.runtime.lanes()[0]?.passage?.subject).toMatchObject({ kind: 'household', householdId: 'hh-001' });
    expect(await b.page.locator('#modal').isHidden()).toBe(true);
  });
});
