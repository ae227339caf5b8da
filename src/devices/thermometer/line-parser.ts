// What a thermometer's ASCII line means: presets for the common modules and fixed terminals.
import type { Text } from '../vocabulary.js';

export type TemperatureUnit = 'C' | 'F';

export interface LineProtocol {
  /** One capture group: the number. */
  pattern: RegExp;
  /** Optional: a capture group with the ambient temperature some terminals report. */
  ambient?: RegExp;
  unit?: TemperatureUnit;
  scale: number;
}

export type ParsedLine = { ok: true; celsius: number; ambient?: number } | { ok: false; code: 'thermo.garbage' | 'thermo.unparsable'; text: Text };

const NUM = '([-+]?\\d{1,3}(?:\\.\\d{1,3})?)';

export const THERMOMETER_PRESETS: Record<string, { pattern: string; ambient?: string; unit?: TemperatureUnit }> = {
  // The first number in the line, unit from a C/F/℃/℉ right after it.
  auto: { pattern: `${NUM}`, ambient: `Amb(?:ient)?\\s*[:=]?\\s*${NUM}` },
  't-equals': { pattern: `^\\s*T\\s*=\\s*${NUM}` },
  'temp-colon': { pattern: `^\\s*TEMP\\s*:\\s*${NUM}` },
  body: { pattern: `Body\\s*:?\\s*${NUM}`, ambient: `Amb(?:ient)?\\s*:?\\s*${NUM}` },
  'celsius-suffix': { pattern: `${NUM}\\s*(?:°|º)?\\s*(?:C|℃)`, unit: 'C' },
  fahrenheit: { pattern: `${NUM}\\s*(?:°|º)?\\s*(?:F|℉)`, unit: 'F' },
};

export function lineProtocol(options: { preset?: string; pattern?: string; unit?: TemperatureUnit; scale?: number }): LineProtocol {
  const preset = THERMOMETER_PRESETS[options.preset ?? 'auto'];
  if (!preset && !options.pattern) throw new Error(`Unknown thermometer preset "${options.preset}"; use one of ${Object.keys(THERMOMETER_PRESETS).join(', ')} or give a pattern`);
  const source = options.pattern ?? preset?.pattern ?? '';
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, 'i');
  } catch (err) {
    throw new Error(`Thermometer pattern is not a valid regular expression: ${(err as Error).message}`);
  }
  if (new RegExp(`${source}|`).exec('')?.length !== 2) throw new Error(`Thermometer pattern must have exactly one capture group for the number: ${source}`);
  const unit = options.unit ?? preset?.unit;
  return {
    pattern,
    ...(preset?.ambient && !options.pattern ? { ambient: new RegExp(preset.ambient, 'i') } : {}),
    ...(unit ? { unit } : {}),
    scale: options.scale ?? 1,
  };
}

const fToC = (f: number): number => ((f - 32) * 5) / 9;

function unitAfter(line: string, index: number): TemperatureUnit | undefined {
  const m = /^\s*(?:°|º)?\s*([CF℃℉])/i.exec(line.slice(index));
  if (!m?.[1]) return undefined;
  return /[F℉]/i.test(m[1]) ? 'F' : 'C';
}

/** Never throws: any bytes give a reading or a typed rejection. */
export function parseThermometerLine(bytes: Uint8Array, protocol: LineProtocol): ParsedLine {
  const line = Buffer.from(bytes).toString('utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: garbage detection
  if (/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(line)) {
    return { ok: false, code: 'thermo.garbage', text: { zh: '体温计发来乱码，已忽略', en: 'Thermometer sent garbage; ignored' } };
  }
  const m = protocol.pattern.exec(line);
  const raw = m?.[1] !== undefined ? Number(m[1]) : Number.NaN;
  if (!m || !Number.isFinite(raw)) {
    return { ok: false, code: 'thermo.unparsable', text: { zh: '体温计数据无法识别', en: 'Thermometer line not understood' } };
  }
  const value = raw * protocol.scale;
  const unit = unitAfter(line, m.index + m[0].length) ?? protocol.unit ?? 'C';
  const celsius = round2(unit === 'F' ? fToC(value) : value);
  const a = protocol.ambient?.exec(line);
  const ambient = a?.[1] !== undefined ? Number(a[1]) : undefined;
  return ambient !== undefined && Number.isFinite(ambient) ? { ok: true, celsius, ambient } : { ok: true, celsius };
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
