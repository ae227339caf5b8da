// The throttle behind the retained counts and state: a lone change goes out at once, a burst gives
// one message at its start and one at the end of the cool-down, never one per change.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../src/sync/retained.js';

describe('counts throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first change after a quiet spell on the next turn, not a whole interval later', () => {
    let sent = 0;
    const t = throttle(1000, () => sent++);
    t.schedule();
    expect(sent).toBe(0);
    vi.advanceTimersByTime(0);
    expect(sent).toBe(1);
    // Quiet: nothing more goes out.
    vi.advanceTimersByTime(5000);
    expect(sent).toBe(1);
    t.schedule();
    vi.advanceTimersByTime(0);
    expect(sent).toBe(2);
  });

  it('gathers a burst into one message at the end of the cool-down', () => {
    let sent = 0;
    const t = throttle(1000, () => sent++);
    for (let i = 0; i < 50; i++) t.schedule();
    vi.advanceTimersByTime(0);
    expect(sent).toBe(1);
    for (let i = 0; i < 50; i++) {
      t.schedule();
      vi.advanceTimersByTime(10);
    }
    expect(sent).toBe(1);
    vi.advanceTimersByTime(500);
    expect(sent).toBe(2);
    vi.advanceTimersByTime(5000);
    expect(sent).toBe(2);
  });

  it('flushes a waiting change at once, and cancel drops it', () => {
    let sent = 0;
    const t = throttle(1000, () => sent++);
    t.schedule();
    vi.advanceTimersByTime(0);
    t.schedule();
    t.flush();
    expect(sent).toBe(2);
    t.flush();
    expect(sent).toBe(2);
    t.schedule();
    t.cancel();
    vi.advanceTimersByTime(5000);
    expect(sent).toBe(2);
  });
});
