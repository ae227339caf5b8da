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

/**
 * The card's QR code (with its quiet zone) as one grey frame: `angle` degrees turned, `zoom` of the
 * largest whole-pixel module size, moved by (dx, dy); each pixel averages 3×3 samples, so edges are
 * soft as through a lens. Luma only (Y plane).
 */
function qrFrame(rows: boolean[][], size: number, angle = 0, zoom = 1, dx = 0, dy = 0): Buffer {
  const n = rows.length + 8;
  const module = Math.floor(size / n) * zoom;
  const cos = Math.cos((angle * Math.PI) / 180);
  const sin = Math.sin((angle * Math.PI) / 180);
  const y = Buffer.alloc(size * size);
  const S = 3;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let sum = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = px + (sx + 0.5) / S - size / 2 - dx;
          const yy = py + (sy + 0.5) / S - size / 2 - dy;
          const mx = Math.floor((cos * x + sin * yy) / module + n / 2) - 4;
          const my = Math.floor((-sin * x + cos * yy) / module + n / 2) - 4;
          sum += rows[my]?.[mx] ? 16 : 235;
        }
      }
      y[py * size + px] = Math.round(sum / (S * S));
    }
  }
  return y;
}

/**
 * A Y4M video (4:2:0, grey, 10 frames a second; Chromium loops it) of the pass card held up to the
 * camera: the code square to the lens, then turned and moved a little, as a hand holds it. One
 * still, pixel-sharp frame is not what a camera sees, and if the decoder misses that one frame it
 * misses every frame of the video. (The card is signed with the key the daemon makes on first start,
 * so the code differs every run; in one clean-clone CI run the still frame was not read in 15 s.
 * The kiosk's decoding read all of 400 such still frames in Node, so the cause there is not known.)
 */
function qrVideo(text: string, size = 640): Buffer {
  const rows = qrModules(text);
  const poses: Array<[number, number, number, number]> = [
    [0, 1, 0, 0],
    [3, 0.9, 5, -3],
    [-2, 0.8, -7, 4],
    [5, 0.85, 0, 0],
    [-4, 0.9, 3, 6],
  ];
  const chroma = Buffer.alloc((size / 2) * (size / 2) * 2, 128);
  const frames = poses.flatMap(([angle, zoom, dx, dy]) => [Buffer.from('FRAME\n'), qrFrame(rows, size, angle, zoom, dx, dy), chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${size} H${size} F10:1 Ip A1:1 C420jpeg\n`), ...frames]);
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
