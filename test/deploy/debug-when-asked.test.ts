// The packed build's `debug` (scripts/debug-when-asked.cjs): a namespace that is not enabled gets a
// logger that takes no arguments (no array made per call: mqtt.js calls it per packet); an enabled
// one gets the real logger, so DEBUG still traces.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Debug = ((...a: unknown[]) => void) & { enabled: boolean; namespace: string; extend(s: string): Debug; log: (...a: unknown[]) => void };
const createDebug = createRequire(import.meta.url)('../../scripts/debug-when-asked.cjs') as ((ns: string) => Debug) & { enable(ns: string): void; disable(): string };

describe('debug when asked', () => {
  it('gives a silent logger of no parameters to a namespace DEBUG does not enable, the real one otherwise', () => {
    createDebug.enable('hubtest:on*');
    try {
      const off = createDebug('hubtest:off');
      expect(off.enabled).toBe(false);
      expect(off.length).toBe(0);
      expect(off.namespace).toBe('hubtest:off');
      expect(off('%s', 'x')).toBeUndefined();
      expect(off.extend('sub').namespace).toBe('hubtest:off:sub');
      const on = createDebug('hubtest:on');
      expect(on.enabled).toBe(true);
      const lines: string[] = [];
      on.log = (...a: unknown[]) => void lines.push(a.join(' '));
      on('traced');
      expect(lines.join('\n')).toContain('hubtest:on traced');
      expect(on.extend('sub').enabled).toBe(true);
    } finally {
      createDebug.disable();
    }
  });
});
