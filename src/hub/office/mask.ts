// What the office's ledgers show of a name or a plate unless the admin asks for the full (audited) view.
export function maskName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !name) return undefined;
  const chars = [...name];
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}
export function maskPlate(plate: unknown): string | undefined {
  if (typeof plate !== 'string' || !plate) return undefined;
  const chars = [...plate];
  return chars.length <= 4 ? '*'.repeat(chars.length) : chars.slice(0, 3).join('') + '*'.repeat(chars.length - 5) + chars.slice(-2).join('');
}
