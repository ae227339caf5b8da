// The printed QR code decodes back to the exact token (read with zxing, as the kiosk camera does).
import { generateKeyPairSync } from 'node:crypto';
import zxing from '@zxing/library';
import { describe, expect, it } from 'vitest';
import { qrModules, qrSvg } from '../../src/cards/qr-svg.js';
import { issueToken } from '../../src/gate/credentials/token.js';

const { BinaryBitmap, HybridBinarizer, QRCodeReader, RGBLuminanceSource } = zxing;

function decode(modules: boolean[][], scale = 4): string {
  const n = modules.length + 8;
  const size = n * scale;
  const lum = new Uint8ClampedArray(size * size).fill(255);
  modules.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) lum[((y + 4) * scale + dy) * size + (x + 4) * scale + dx] = 0;
    });
  });
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, size, size)));
  return new QRCodeReader().decode(bitmap).getText();
}

describe('pass-card QR code', () => {
  it('round-trips a full-length token', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const token = issueToken({ t: 'household', id: 'hh-0001-building-12', hh: 'hh-0001-building-12', site: 'demo-village', kid: 'gAbCdEfG', iat: 1795419489, exp: 1798011489 }, privateKey);
    expect(decode(qrModules(token))).toBe(token);
  });

  it('writes an SVG with a caption, escaping markup', () => {
    const svg = qrSvg('GP1.a.b', '<hh-1>');
    expect(svg).toContain('&#60;hh-1&#62;');
    expect(svg).not.toContain('<hh-1>');
  });
});
