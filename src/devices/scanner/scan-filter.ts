// What a framed scan must pass before it reaches the gate: a length limit, no control characters, no double reads.
import type { Text } from '../vocabulary.js';

export type ScanVerdict =
  | { ok: true; text: string }
  | { ok: false; code: 'scan.too-long' | 'scan.control-chars' | 'scan.not-text' | 'scan.empty' | 'scan.duplicate'; text: Text };

export interface ScanFilterOptions {
  maxLength: number;
  dedupeWindowMs: number;
  now: () => number;
}

export class ScanFilter {
  private last: { text: string; at: number } | undefined;
  constructor(private readonly options: ScanFilterOptions) {}

  /** Never throws. Accepts raw bytes (serial, HID) or text already decoded. */
  check(input: Uint8Array | string): ScanVerdict {
    const verdict = classifyScan(input, this.options.maxLength);
    if (!verdict.ok) return verdict;
    const now = this.options.now();
    const last = this.last;
    this.last = { text: verdict.text, at: now };
    if (last && last.text === verdict.text && now - last.at < this.options.dedupeWindowMs) {
      return { ok: false, code: 'scan.duplicate', text: { zh: '重复扫码，已计一次', en: 'Same code read again; counted once' } };
    }
    return verdict;
  }

  tooLong(length: number): ScanVerdict {
    return { ok: false, code: 'scan.too-long', text: { zh: `扫码内容过长（${length} 字节），已拒绝`, en: `Scan too long (${length} bytes); refused` } };
  }
}

export function classifyScan(input: Uint8Array | string, maxLength: number): ScanVerdict {
  let text: string;
  text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (text.includes('\ufffd')) {
    return { ok: false, code: 'scan.not-text', text: { zh: '扫码内容不是有效文字，已拒绝', en: 'Scan is not valid text; refused' } };
  }
  if (text.length === 0) return { ok: false, code: 'scan.empty', text: { zh: '空扫码', en: 'Empty scan' } };
  if (Buffer.byteLength(text) > maxLength) {
    return { ok: false, code: 'scan.too-long', text: { zh: `扫码内容过长（${Buffer.byteLength(text)} 字节），已拒绝`, en: `Scan too long (${Buffer.byteLength(text)} bytes); refused` } };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)) {
    return { ok: false, code: 'scan.control-chars', text: { zh: '扫码含控制字符，已拒绝', en: 'Scan contains control characters; refused' } };
  }
  return { ok: true, text };
}
