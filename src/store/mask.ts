// Personal data leaves the ledger masked unless an admin asks for a full (audited) export.
import { maskResidentId } from '../gate/credentials/resident-id.js';

export { maskResidentId };

/** '13812345678' → '138****5678'. */
export function maskPhone(phone: string): string {
  const t = phone.trim();
  if (t.length <= 7) return '*'.repeat(t.length);
  return `${t.slice(0, 3)}${'*'.repeat(t.length - 7)}${t.slice(-4)}`;
}

/** '张三丰' → '张*丰', '张三' → '张*', 'Li Lei' → 'L*****'. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (/^[\u3400-\u9fff·]+$/u.test(name.trim())) {
    if (chars.length === 2) return `${chars[0]}*`;
    return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
  }
  return `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

export function idTail(idNumber: string): string {
  return idNumber.trim().toUpperCase().slice(-4);
}
