// Announcements on the mock loudspeaker: at a set time once, on a loop while the lane is idle,
// never over a passage's prompts (a prompt cuts them; they wait while a passage is in progress).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Action } from '../../src/gate/model.js';
import { tempDir } from '../helpers/temp-dir.js';
import { tone, type VoiceRig, voiceRig } from './voice-rig.js';

let rig: VoiceRig | undefined;
let now = Date.parse('2026-12-01T20:49:00+08:00');
const recordings = tempDir('gate-notices-');
mkdirSync(join(recordings, 'announcements'), { recursive: true });
writeFileSync(join(recordings, 'announcements', 'night.wav'), tone(2000));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  now = Date.parse('2026-12-01T20:49:00+08:00');
});
afterEach(async () => {
  await rig?.voice.stop();
  rig = undefined;
  vi.useRealTimers();
});

async function start(): Promise<VoiceRig> {
  rig = voiceRig({ voice: { recordingsDir: recordings, announcementIdleSeconds: 10 } }, { now: () => now, tickMs: 1000 });
  await rig.voice.start();
  await rig.voice.loaded();
  return rig;
}
/** Wall time and the timers move together, a tenth of a second at a time. */
const advance = async (ms: number) => {
  for (let left = ms; left > 0; left -= 100) {
    now += Math.min(100, left);
    await vi.advanceTimersByTimeAsync(Math.min(100, left));
  }
};
const notice = (r: VoiceRig) => r.mock.spoken.filter((s) => s.urgency === 0);
/** Advances a second at a time until the n-th notice has started; returns the seconds it took. */
async function untilNotice(r: VoiceRig, n: number, limitS: number): Promise<number> {
  for (let s = 0; s < limitS; s++) {
    if (notice(r).length >= n) return s;
    await advance(1000);
  }
  throw new Error(`notice ${n} did not start within ${limitS} s`);
}
const admit: Action[] = [
  { kind: 'relay', lane: 'main', pulseMs: 3000 },
  { kind: 'prompt', lane: 'main', promptId: 'passage.admitted' },
];

describe('announcements', () => {
  it('plays a set-time notice once at its minute, with the chime first', async () => {
    const r = await start();
    r.announcements.push({ id: 'night', text: { zh: '卡口九点关闭' }, clip: 'night', at: ['20:50'] });
    await advance(30_000);
    expect(notice(r)).toEqual([]);
    await advance(31_000);
    expect(notice(r)).toMatchObject([{ id: expect.stringMatching(/^announcement\|night\|at:20:50@\d+$/), text: '卡口九点关闭' }]);
    // Chime (100 ms tone) + pause + the 2 s recording.
    expect(notice(r)[0]?.ms).toBeGreaterThan(2000);
    await advance(5 * 60_000);
    expect(notice(r)).toHaveLength(1);
  });

  it('never plays over a passage: waits while one is in progress and for the idle time after; a prompt cuts it', async () => {
    const r = await start();
    r.announcements.push({ id: 'loop', text: { zh: '请戴口罩' }, clip: 'night', every: 10 });
    r.bus.emit('passage.progress', { lane: 'main', stage: 'awaiting-temperature', passage: { id: 'p1', temperatures: [] }, prompt: { zh: '', en: '' } });
    await r.settle();
    await advance(60_000);
    expect(notice(r)).toEqual([]);
    r.voice.act('main', admit, 'p1');
    await r.settle();
    // Idle for 10 s after the last prompt first.
    expect(await untilNotice(r, 1, 30)).toBeGreaterThanOrEqual(10);
    // The next person: the notice stops for their prompt.
    r.bus.emit('passage.progress', { lane: 'main', stage: 'awaiting-temperature', passage: { id: 'p2', temperatures: [] }, prompt: { zh: '', en: '' } });
    await r.settle();
    expect(notice(r)[0]?.cut).toBe(true);
    expect(r.mock.spoken.at(-1)?.text).toBe('请测体温');
    // Cut, so not counted as played: it comes again once the lane is idle.
    r.voice.act('main', admit, 'p2');
    await r.settle();
    await untilNotice(r, 2, 30);
    // Played through: the loop waits its 10 minutes.
    await advance(5 * 60_000);
    expect(notice(r)).toHaveLength(2);
    await advance(6 * 60_000);
    expect(notice(r)).toHaveLength(3);
  });

  it('reports a notice whose recording is missing instead of playing silence', async () => {
    const r = await start();
    r.announcements.push({ id: 'gone', text: { zh: '通知' }, clip: 'nope', every: 1 });
    await advance(60_000);
    expect(notice(r)).toEqual([]);
    expect(r.voice.state().announcements).toMatchObject([{ id: 'gone', ready: false, problem: expect.stringMatching(/nope\.wav: missing/) }]);
  });
});
