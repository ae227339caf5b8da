// Reading a QR code back in tests, with zxing (as the kiosk camera does): from its modules, or from
// the SVG path src/cards/qr-svg.ts prints (one 1×1 square per dark module, after a 4-module quiet zone).
import zxing from '@zxing/library';

const { BinaryBitmap, DecodeHintType, HybridBinarizer, QRCodeReader, RGBLuminanceSource } = zxing;

// The image is drawn, not photographed: zxing reads it as a pure barcode (module grid from the
// corners) instead of searching for finder patterns, whose estimate of the size fails for about one
// synthetic image in seventy at any scale ("Dimensions could be not found").
const PURE = new Map([[DecodeHintType.PURE_BARCODE, true]]);

/** The text of a QR code given as its modules (true = dark), rendered at `scale` pixels a module. */
export function decodeQrModules(modules: boolean[][], scale = 4): string {
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
  return new QRCodeReader().decode(bitmap, PURE).getText();
}

/**
 * The modules drawn by the `d` attribute of a printed QR code's path. The finder patterns reach the
 * last row and column, so the largest coordinate gives the size. Throws when the path draws no QR.
 */
export function qrModulesFromSvgPath(d: string): boolean[][] {
  const dark = [...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => [Number(m[1]) - 4, Number(m[2]) - 4] as const);
  if (dark.length === 0) throw new Error(`no QR modules in the SVG path: ${d.slice(0, 80)}`);
  const n = Math.max(...dark.map(([x, y]) => Math.max(x, y))) + 1;
  const modules = Array.from({ length: n }, () => Array.from({ length: n }, () => false));
  for (const [x, y] of dark) (modules[y] as boolean[])[x] = true;
  return modules;
}
