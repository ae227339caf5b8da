// Shared by the declaration page's tests: its configuration and a good form.
import { validateAgainst } from '../../src/config/load.js';
import { residentIdCheckDigit } from '../../src/gate/credentials/resident-id.js';
import { type DeclareConfig, DeclareConfigSchema } from '../../src/hub/declare/config.js';

export const RISK = '某市某区（中风险）';
export const id = (first17: string) => first17 + residentIdCheckDigit(first17);
export const A = id('11010119900307123');
export const B = id('11010119920512234');

export function declareConfig(over: Record<string, unknown> = {}): DeclareConfig {
  const { config, problems } = validateAgainst<DeclareConfig>(DeclareConfigSchema, { enabled: true, siteName: '测试村', areas: ['杭州市西湖区'], riskAreas: [RISK], ...over });
  if (!config) throw new Error(problems.join('\n'));
  return config;
}

export const goodForm = (o: Record<string, unknown> = {}) => ({
  kind: 'visit',
  phone: '13912345678',
  origin: '杭州市西湖区',
  travel: [],
  host: '3组12号 张家',
  purpose: '探亲访友',
  consent: true,
  members: [{ name: '孙访客', idNumber: A, symptoms: [] }],
  ...o,
});

