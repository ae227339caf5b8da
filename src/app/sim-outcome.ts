// What a `gate sim scan/temp/mask/colour` led to, in words: the decision when one follows within a
// short wait, or what the lane waits for next. A newcomer following the README sees the verdict
// without reading the JSON log.
import type { Passage, Text } from '../gate/model.js';
import type { EventBus } from '../kernel/bus.js';
import type { KioskEventMap } from '../ui/events.js';

/** How long the simulator control waits for the decision an input leads to (a pseudo-terminal device adds a few ms). */
export const DECISION_WAIT_MS = 1500;

const OUTCOME: Record<Passage['outcome'], Text> = {
  admitted: { zh: '准予通行', en: 'Admitted' },
  refused: { zh: '劝返', en: 'Refused' },
  overridden: { zh: '人工处理', en: 'Overridden' },
  abandoned: { zh: '未完成', en: 'Abandoned' },
};

export interface SimOutcome {
  decided?: { passage: string; outcome: Passage['outcome']; direction: Passage['direction']; subject: string | null; words: Text };
  waiting?: { stage: string; prompt: Text };
  /** A health declaration's code: no passage follows, the kiosk opens the registration (or refuses the code). */
  declaration?: { ok: boolean; members: number; words: Text };
}

export function decisionWords(p: Passage): SimOutcome['decided'] {
  const o = OUTCOME[p.outcome];
  const reasons = p.reasons.filter((r) => r.code !== 'passage.admitted');
  const dir = p.direction === 'in' ? { zh: '进', en: 'in' } : { zh: '出', en: 'out' };
  return {
    passage: p.id,
    outcome: p.outcome,
    direction: p.direction,
    subject: p.subject ? `${p.subject.kind} ${p.subject.id}` : null,
    words: {
      zh: `${o.zh}（${dir.zh}）${reasons.length ? `：${reasons.map((r) => r.zh).join('；')}` : ''}`,
      en: `${o.en} (${dir.en})${reasons.length ? `: ${reasons.map((r) => r.en).join('; ')}` : ''}`,
    },
  };
}

/**
 * Runs `fn` (which feeds an input to `lane`) and resolves with the decision or the next prompt it led
 * to, or at once with the declaration screen a declaration code opened (no decision follows those).
 */
export async function outcomeOf(bus: EventBus<KioskEventMap>, lane: string, fn: () => Promise<void>, waitMs = DECISION_WAIT_MS): Promise<SimOutcome> {
  let out: SimOutcome | undefined;
  let wake: (() => void) | undefined;
  const offDecided = bus.on('passage.decided', ({ passage }) => {
    if (passage.lane !== lane) return;
    out = { decided: decisionWords(passage) };
    wake?.();
  });
  const offProgress = bus.on('passage.progress', (e) => {
    if (e.lane !== lane || out?.decided) return;
    out = { waiting: { stage: e.stage, prompt: e.prompt } };
    wake?.();
  });
  // The kiosk tells what it shows (declaration.shown, emitted within declaration.scanned); without a kiosk, the scan alone answers.
  const offShown = bus.on('declaration.shown', (e) => {
    if (e.lane !== lane) return;
    out = { declaration: { ok: e.ok, members: e.members, words: { zh: e.zh, en: e.en } } };
    wake?.();
  });
  const offScanned = bus.on('declaration.scanned', (e) => {
    if (e.lane !== lane || out?.declaration) return;
    out = { declaration: { ok: true, members: 0, words: { zh: '已读到健康申报码', en: 'Declaration code read' } } };
    wake?.();
  });
  try {
    await fn();
    if (!out) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return out ?? {};
  } finally {
    offDecided();
    offProgress();
    offShown();
    offScanned();
  }
}
