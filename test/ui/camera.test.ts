// Camera scanning in the page: Chromium's fake camera plays a video of a pass card's QR code, the page
// decodes it with @zxing/library (served by the daemon) and the passage appears on the live screen.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRunSignIn, launchKioskBrowser } from '../../bench/kiosk.js';
import { qrModules } from '../../src/cards/qr-svg.js';
import { type Harness, startHarness } from './harness.js';

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
    await expect.poll(() => b.page.getByTestId('passage').getAttribute('data-outcome'), { timeout: 15_000 }).toBe('pending');
    expect(await b.page.getByTestId('passage').textContent()).toContain('hh-001');
    expect(h.runtime.lanes()[0]?.passage?.subject).toMatchObject({ kind: 'household', householdId: 'hh-001' });
    expect(await b.page.locator('#modal').isHidden()).toBe(true);
  });
});
