// Chinese resident ID numbers (GB 11643-1999): 6-digit region, 8-digit birth date,
// 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check digit (0-9 or X).
import type { Text } from '../model.js';
import { REASONS } from '../text.js';

export type ResidentIdProblem = 'format' | 'region' | 'birth-date' | 'check-digit';

export type ResidentIdResult =
  | { ok: true; id: string; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; reason: ResidentIdProblem; text: Text };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
// GB/T 2260 province-level codes; 71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits for Taiwan residents.
const PROVINCES = new Set([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]);

/** The MOD 11-2 check character for the first 17 digits. */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('The check digit needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK[sum % 11] as string;
}

function problem(reason: ResidentIdProblem): ResidentIdResult {
  return { ok: false, reason, text: REASONS[`id.${reason}`] };
}

/** Looks like an ID number (for telling it apart from other scans), whether valid or not. */
export function looksLikeResidentId(text: string): boolean {
  return /^\d{17}[\dXx]$/.test(text.trim());
}

/**
 * Validate a typed or scanned ID number. Lower-case x is accepted and normalised to X.
 * `now` (wall ms) rejects birth dates in the future when given.
 */
export function validateResidentId(input: string, now?: number): ResidentIdResult {
  const id = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return problem('format');
  if (!PROVINCES.has(Number(id.slice(0, 2))) || id.slice(2, 6) === '0000') return problem('region');
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return problem('birth-date');
  if (now !== undefined && birth.getTime() > now) return problem('birth-date');
  if (residentIdCheckDigit(id.slice(0, 17)) !== id[17]) return problem('check-digit');
  return { ok: true, id, birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, sex: Number(id[16]) % 2 === 1 ? 'male' : 'female' };
}

/** '310101199001011234' → '3101**********1234' (first 4 and last 4 shown). Short input is fully masked. */
export function maskResidentId(id: string): string {
  const t = id.trim().toUpperCase();
  if (t.length <= 8) return '*'.repeat(t.length);
  return `${t.slice(0, 4)}${'*'.repeat(t.length - 8)}${t.slice(-4)}`;
}

/** The last 4 characters, as stored beside a person for search and display. */
export function residentIdTail(id: string): string {
  return id.trim().toUpperCase().slice(-4);
}
