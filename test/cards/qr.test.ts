// The printed QR code decodes back to the exact token (read with zxing, as the kiosk camera does).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { qrModules, qrSvg } from '../../src/cards/qr-svg.js';
import { issueToken } from '../../src/gate/credentials/token.js';
import { decodeQrModules as decode, qrModulesFromSvgPath } from '../helpers/qr.js';

describe('pass-card QR code', () => {
  it('round-trips a full-length token', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const token = issueToken({ t: 'household', id: 'hh-0001-building-12', hh: 'hh-0001-building-12', site: 'demo-village', kid: 'gAbCdEfG', iat: 1795419489, exp: 1798011489 }, privateKey);
    expect(decode(qrModules(token))).toBe(token);
  });

  it('prints an SVG whose path reads back as the token', () => {
    const svg = qrSvg('VIS:V-20261201-0007', 'V-20261201-0007');
    const d = /<path [^>]*d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(decode(qrModulesFromSvgPath(d))).toBe('VIS:V-20261201-0007');
  });

  it('writes an SVG with a caption, escaping markup', () => {
    const svg = qrSvg('GP1.a.b', '<hh-1>');
    expect(svg).toContain('&#60;hh-1&#62;');
    expect(svg).not.toContain('<hh-1>');
  });
});
