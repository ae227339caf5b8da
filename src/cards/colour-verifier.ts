// The optional online health-code verifier. Its HTTP call is I/O, so it lives outside src/gate:
// when a lane waits for a colour, ask the verifier once; an answer in time becomes a 'colour' input
// (source 'verifier'); a timeout or an error leaves the lane waiting for the volunteer's tap.
import type { Feature } from '../kernel/feature.js';
import type { RuntimeContext } from '../runtime/events.js';
import type { CodeColour } from '../gate/model.js';

export interface ColourVerifier {
  /** The colour for a person, or undefined when the verifier cannot say in time. */
  check(personId: string, signal: AbortSignal): Promise<CodeColour | undefined>;
}

const COLOURS: readonly CodeColour[] = ['green', 'yellow', 'red'];

/** POST {site, personId} as JSON; accepts {"colour": "green" | "yellow" | "red"}. Anything else is "no answer". */
export function createHttpColourVerifier(opts: { url: string; site: string; fetch?: typeof fetch }): ColourVerifier {
  const doFetch = opts.fetch ?? fetch;
  return {
    async check(personId, signal) {
      try {
        const res = await doFetch(opts.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: opts.site, personId }), signal });
        if (!res.ok) return undefined;
        const body = (await res.json()) as { colour?: unknown };
        return COLOURS.includes(body.colour as CodeColour) ? (body.colour as CodeColour) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export interface ColourVerifierFeatureOptions {
  ctx: Pick<RuntimeContext, 'bus' | 'logger'>;
  verifier: ColourVerifier;
  timeoutMs: number;
}

/** Asks the verifier for every passage that waits for a colour; one question per passage. */
/** A Feature (start/stop) that also tells how many questions are in flight. */
export interface ColourVerifierFeature extends Feature {
  start(): void;
  stop(): void;
  inFlight(): number;
}

export function createColourVerifierFeature(opts: ColourVerifierFeatureOptions): ColourVerifierFeature {
  const { bus, logger } = opts.ctx;
  const asked = new Set<string>();
  const pending = new Map<string, { abort: AbortController; timer: NodeJS.Timeout }>();
  let off: (() => void) | undefined;

  function ask(passageId: string, lane: string, personId: string): void {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
    pending.set(passageId, { abort, timer });
    opts.verifier
      .check(personId, abort.signal)
      .then((colour) => {
        if (!colour || abort.signal.aborted) {
          logger.info({ passage: passageId, lane }, 'health-code verifier gave no answer in time; the volunteer checks the code');
          return;
        }
        bus.emit('device.input', { type: 'colour', lane, colour, source: 'verifier', passageId });
      })
      .catch((err: unknown) => logger.warn({ err, passage: passageId }, 'health-code verifier failed'))
      .finally(() => {
        clearTimeout(timer);
        pending.delete(passageId);
      });
  }

  return {
    name: 'colour-verifier',
    start() {
      off = bus.on('passage.progress', ({ lane, stage, passage }) => {
        const personId = passage.subject?.personId;
        if (stage !== 'awaiting-colour' || !personId || asked.has(passage.id)) return;
        asked.add(passage.id);
        // Bounded memory: only recent passages can still be waiting.
        if (asked.size > 1000) asked.delete(asked.values().next().value as string);
        ask(passage.id, lane, personId);
      });
    },
    stop() {
      off?.();
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.abort.abort();
      }
      pending.clear();
    },
    inFlight: () => pending.size,
  };
}

/** The verifier feature when `rules.colourVerifier` is configured, else undefined. */
export function colourVerifierFromConfig(ctx: Pick<RuntimeContext, 'bus' | 'logger' | 'config'>, fetchImpl?: typeof fetch): ColourVerifierFeature | undefined {
  const v = ctx.config.rules.colourVerifier;
  if (!v) return undefined;
  const verifier = createHttpColourVerifier({ url: v.url, site: ctx.config.site.id, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  return createColourVerifierFeature({ ctx, verifier, timeoutMs: v.timeoutMs });
}
