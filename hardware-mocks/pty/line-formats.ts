// How the thermometers sold for checkpoints print a reading, one preset each (see docs/devices.md).
export const LINE_PRESETS = ['t-equals', 'temp-colon', 'body', 'celsius-suffix', 'fahrenheit'] as const;
export type LinePreset = (typeof LINE_PRESETS)[number];

export type LineEnding = 'CR' | 'LF' | 'CRLF';
export const ENDINGS: Record<LineEnding, string> = { CR: '\r', LF: '\n', CRLF: '\r\n' };

export function formatReading(preset: LinePreset, celsius: number, ambient = 20.1): string {
  switch (preset) {
    case 't-equals':
      return `T=${celsius.toFixed(1)}`;
    case 'temp-colon':
      return `TEMP:${celsius.toFixed(2)}`;
    case 'body':
      return `Body ${celsius.toFixed(1)} ℃ Amb ${ambient.toFixed(1)}`;
    case 'celsius-suffix':
      return `${celsius.toFixed(1)}C`;
    case 'fahrenheit':
      return `${((celsius * 9) / 5 + 32).toFixed(1)}F`;
  }
}

export function isLinePreset(s: string): s is LinePreset {
  return (LINE_PRESETS as readonly string[]).includes(s);
}
