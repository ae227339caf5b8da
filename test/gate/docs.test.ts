// The rules and scenario docs stay true to the code: every reason code and every example is described.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../src/gate/scenario/schema.js';
import { PROMPTS, REASONS } from '../../src/gate/text.js';

const root = join(import.meta.dirname, '../..');
const doc = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');

describe('docs', () => {
  it('rules.md lists every reason code with its zh-CN and English text', () => {
    const rules = doc('rules.md');
    for (const [code, t] of Object.entries(REASONS)) expect(rules).toContain(`| \`${code}\` | ${t.zh} | ${t.en} |`);
  });

  it('rules.md shows every lane prompt', () => {
    const rules = doc('rules.md');
    for (const [stage, t] of Object.entries(PROMPTS)) if (stage !== 'idle') expect(rules).toContain(`${t.zh} / ${t.en}`);
  });

  it('scenarios.md describes every event kind and every example file', () => {
    const s = doc('scenarios.md');
    for (const k of EVENT_KINDS) expect(s).toContain(`| \`${k}\` |`);
    for (const f of readdirSync(join(root, 'scenarios')).filter((x) => x.endsWith('.yaml'))) expect(s).toContain(`| ${f.replace(/\.yaml$/, '')} |`);
  });

  it('every reason has both languages', () => {
    for (const t of Object.values(REASONS)) {
      expect(t.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(t.en).toMatch(/^[A-Z]/);
    }
  });
});
