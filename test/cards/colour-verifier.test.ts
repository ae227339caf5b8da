import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvents } from '../../src/app/context.js';
import { EventBus } from '../../src/kernel/bus.js';
import { type ColourVerifier, createColourVerifierFeature, createHttpColourVerifier } from '../../src/cards/colour-verifier.js';
import type { GateInput } from '../../src/gate/contract.js';
import type { CodeColour } from '../../src/gate/model.js';

const logger = pino({ level: 'silent' });
const waiting = (id: string, personId?: string) => ({ lane: 'main', stage: 'awaiting-colour' as const, passage: { id, subject: personId ? { kind: 'person' as const, id: 'pc', personId } : null }, prompt: { zh: '', en: '' } });

function setup(answer: (personId: string, signal: AbortSignal) => Promise<CodeColour | undefined>) {
  const bus = new EventBus<AppEvents>();
  const inputs: GateInput[] = [];
  bus.on('device.input', (i) => inputs.push(i));
  const verifier: ColourVerifier = { check: vi.fn(answer) };
  const feature = createColourVerifierFeature({ ctx: { bus, logger }, verifier, timeoutMs: 3000 });
  feature.start();
  return { bus, inputs, verifier, feature };
}

describe('online health-code verifier', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('feeds the verifier’s answer to the lane, tied to the passage, once per passage', async () => {
    const s = setup(async () => 'yellow');
    s.bus.emit('passage.progress', waiting('p1', 'person-1'));
    s.bus.emit('passage.progress', waiting('p1', 'person-1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(s.inputs).toEqual([{ type: 'colour', lane: 'main', colour: 'yellow', source: 'verifier', passageId: 'p1' }]);
    expect(s.verifier.check).toHaveBeenCalledTimes(1);
  });

  it('falls back to the volunteer when the verifier is too slow: no input, the request is aborted', async () => {
    let aborted = false;
    const s = setup(
      (_p, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve(undefined);
          });
        }),
    );
    s.bus.emit('passage.progress', waiting('p2', 'person-2'));
    await vi.advanceTimersByTimeAsync(2999);
    expect(aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(aborted).toBe(true);
    expect(s.inputs).toEqual([]);
    expect(s.feature.inFlight()).toBe(0);
  });

  it('asks nothing for passages without a known person, or in other stages', async () => {
    const s = setup(async () => 'green');
    s.bus.emit('passage.progress', waiting('p3'));
    s.bus.emit('passage.progress', { ...waiting('p4', 'person-4'), stage: 'awaiting-temperature' });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.verifier.check).not.toHaveBeenCalled();
  });

  it('aborts what is in flight on stop', async () => {
    const s = setup((_p, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined))));
    s.bus.emit('passage.progress', waiting('p5', 'person-5'));
    expect(s.feature.inFlight()).toBe(1);
    s.feature.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.inputs).toEqual([]);
  });
});

describe('HTTP verifier client', () => {
  it('posts site and person id, accepts only the three colours', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const reply = (body: unknown, status = 200) => async (url: string | URL | Request, init?: RequestInit) => {
      calls.push([String(url), init]);
      return new Response(JSON.stringify(body), { status });
    };
    const signal = new AbortController().signal;
    expect(await createHttpColourVerifier({ url: 'http://v/check', site: 's1', fetch: reply({ colour: 'red' }) as typeof fetch }).check('person-1', signal)).toBe('red');
    expect(JSON.parse(String(calls[0]?.[1]?.body))).toEqual({ site: 's1', personId: 'person-1' });
    expect(await createHttpColourVerifier({ url: 'http://v', site: 's', fetch: reply({ colour: 'blue' }) as typeof fetch }).check('p', signal)).toBeUndefined();
    expect(await createHttpColourVerifier({ url: 'http://v', site: 's', fetch: reply({ colour: 'green' }, 500) as typeof fetch }).check('p', signal)).toBeUndefined();
    const failing = (async () => {
      throw new Error('ECONNREFUSED');
    }) as typeof fetch;
    expect(await createHttpColourVerifier({ url: 'http://v', site: 's', fetch: failing }).check('p', signal)).toBeUndefined();
  });
});

describe('verifier from config', () => {
  it('exists only when rules.colourVerifier is configured', async () => {
    const { validateConfig } = await import('../../src/config/load.js');
    const { colourVerifierFromConfig } = await import('../../src/cards/colour-verifier.js');
    const bus = new EventBus<AppEvents>();
    const off = validateConfig({}).config!;
    expect(colourVerifierFromConfig({ bus, logger, config: off })).toBeUndefined();
    const on = validateConfig({ rules: { colourVerifier: { url: 'http://verifier.local/check' } } }).config!;
    expect(on.rules.colourVerifier?.timeoutMs).toBe(3000);
    const seen: string[] = [];
    const f = colourVerifierFromConfig({ bus, logger, config: on }, (async (url: string) => {
      seen.push(String(url));
      return new Response('{"colour":"green"}');
    }) as unknown as typeof fetch);
    const inputs: GateInput[] = [];
    bus.on('device.input', (i) => inputs.push(i));
    f?.start();
    bus.emit('passage.progress', waiting('p9', 'person-9'));
    await new Promise((r) => setImmediate(r));
    f?.stop();
    expect(seen).toEqual(['http://verifier.local/check']);
    expect(inputs).toEqual([{ type: 'colour', lane: 'main', colour: 'green', source: 'verifier', passageId: 'p9' }]);
  });
});
