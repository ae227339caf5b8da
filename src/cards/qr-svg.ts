// A pass-card token as a QR code in SVG, for printing cards. Error correction M: survives a worn card.
import zxing from '@zxing/library';

const { QRCodeEncoder, QRCodeDecoderErrorCorrectionLevel } = zxing;

/** The QR modules of a text: true = dark. */
export function qrModules(text: string): boolean[][] {
  const matrix = QRCodeEncoder.encode(text, QRCodeDecoderErrorCorrectionLevel.M, new Map()).getMatrix();
  const rows: boolean[][] = [];
  for (let y = 0; y < matrix.getHeight(); y++) {
    const row: boolean[] = [];
    for (let x = 0; x < matrix.getWidth(); x++) row.push(matrix.get(x, y) === 1);
    rows.push(row);
  }
  return rows;
}

/** An SVG with a 4-module quiet zone; `caption` (e.g. the card id, never a name) is printed below. */
export function qrSvg(text: string, caption?: string, moduleSize = 8): string {
  const rows = qrModules(text);
  const n = rows.length + 8;
  const size = n * moduleSize;
  const textHeight = caption ? 3 * moduleSize : 0;
  let path = '';
  for (const [y, row] of rows.entries()) {
    for (const [x, dark] of row.entries()) if (dark) path += `M${x + 4} ${y + 4}h1v1h-1z`;
  }
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + textHeight}" viewBox="0 0 ${size} ${size + textHeight}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<path transform="scale(${moduleSize})" fill="#000" d="${path}"/>`,
    caption ? `<text x="${size / 2}" y="${size + textHeight / 2}" font-family="sans-serif" font-size="${moduleSize * 2}" text-anchor="middle">${esc(caption)}</text>` : '',
    '</svg>',
    '',
  ].join('\n');
}
