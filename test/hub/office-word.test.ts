// The word to the gates on both engines: versions above what was sent and what the gates hold, the
// gates' own schemas, a confirmation that must match the preview, nothing kept when the broker is
// away, answers matched to their update by id.
import { afterEach, describe, expect, it } from 'vitest';
import { parseAreas, parseIds, WordDesk } from '../../src/hub/office/downlinks.js';
import { checkRosterSheet } from '../../src/hub/office/roster-push.js';
import { HubReader } from '../../src/hub/storage/read.js';
import { HubWriter } from '../../src/hub/storage/write.js';
import { ENGINES, openFresh } from './support.js';

describe.each(ENGINES)('the word to the gates on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  const setup = async (o: { failPublish?: boolean } = {}) => {
    const opened = await openFresh(engine);
    closers.push(opened.close);
    const writer = new HubWriter(opened.db, opened.engine, { batchRows: 100, rejectsMax: 100 });
    const state = (gate: string, versions: Record<string, number>) => ({ type: 'state' as const, site: 'v1', gate, ledger: 'L1', highest: 0, json: JSON.stringify({ status: 'online', zoneLevel: 'normal', versions }), online: true });
    await writer.write({ records: [], states: [state('g1', { zone: 4 }), state('g2', {})], rejects: [] });
    const published: Array<{ topic: string; body: Record<string, unknown>; retain: boolean }> = [];
    const reader = new HubReader(opened.db);
    const words = new WordDesk(opened.db, {
      histories: () => reader.histories(),
      root: 'checkpoint',
      publish: async (topic, body, opts) => {
        if (o.failPublish) throw new Error('not connected to the broker');
        published.push({ topic, body: JSON.parse(body), retain: opts?.retain ?? true });
      },
    });
    return { words, published, db: opened.db, writer, state };
  };

  it('versions each update above both what was sent and what any gate holds, and sends only what was previewed', async () => {
    const { words, published } = await setup();
    const p = await words.preview({ site: 'v1', kind: 'zone', level: 'sealed' });
    expect(p).toMatchObject({ version: 5, body: { site: 'v1', version: 5, level: 'sealed' }, gates: [{ gate: 'g1', currentVersion: 4 }, { gate: 'g2', currentVersion: 0 }] });
    await expect(words.send({ site: 'v1', kind: 'zone', level: 'controlled' }, p.confirm, 'duty1')).rejects.toThrow(/changed since the preview/);
    expect(published).toHaveLength(0);
    const sent = await words.send({ site: 'v1', kind: 'zone', level: 'sealed' }, p.confirm, 'duty1');
    expect(published[0]).toMatchObject({ topic: 'checkpoint/v1/v1/cmd/zone', body: { level: 'sealed', version: 5, id: sent.id } });
    expect(sent.answers).toEqual([
      { gate: 'g1', result: 'pending', reasons: [], at: null, resent: 0, resentAt: null },
      { gate: 'g2', result: 'pending', reasons: [], at: null, resent: 0, resentAt: null },
    ]);
    expect((await words.preview({ site: 'v1', kind: 'zone', level: 'normal' })).version).toBe(6);
    expect(await words.answer('g1', { ref: { id: sent.id }, result: 'applied', reasons: [] }, 1)).toBe(true);
    expect(await words.answer('g2', { ref: { id: sent.id }, result: 'rejected', reasons: [{ code: 'version.old', zh: '旧', en: 'old' }] }, 2)).toBe(true);
    expect(await words.answer('g2', { ref: { id: 'someone-else' }, result: 'applied' }, 3)).toBe(false);
    const [h] = await words.history();
    expect(h).toMatchObject({ sentBy: 'duty1', summary: { level: 'sealed' }, answers: [{ gate: 'g1', result: 'applied' }, { gate: 'g2', result: 'rejected', reasons: [{ code: 'version.old' }] }] });
  });

  it('sends a compound\'s notices as one versioned list, and gives back the list sent last', async () => {
    const { words, published } = await setup();
    const list = [{ id: 'n1', text: { zh: '今晚九点卡口关闭' }, at: ['20:50'] }];
    const p = await words.preview({ site: 'v1', kind: 'announcements', announcements: list });
    expect(p).toMatchObject({ version: 1, body: { site: 'v1', version: 1, announcements: list }, summary: { announcements: 1, sample: ['今晚九点卡口关闭'] } });
    expect(await words.lastSent('v1', 'announcements')).toBeNull();
    const sent = await words.send({ site: 'v1', kind: 'announcements', announcements: list }, p.confirm, 'duty1');
    expect(published[0]).toMatchObject({ topic: 'checkpoint/v1/v1/cmd/announcements', body: { version: 1, id: sent.id, announcements: list } });
    expect(await words.lastSent('v1', 'announcements')).toMatchObject({ version: 1, sentBy: 'duty1', body: { announcements: list } });
    expect((await words.history({ kind: 'announcements' })).map((u) => u.id)).toEqual([sent.id]);
    expect(await words.history({ kind: 'zone' })).toEqual([]);
  });

  it('refuses what the gates\' schemas refuse, and keeps nothing when the broker is away', async () => {
    const { words } = await setup();
    await expect(words.preview({ site: 'v1', kind: 'zone', level: 'panic' })).rejects.toThrow(/level must be one of/);
    await expect(words.preview({ site: 'nowhere', kind: 'zone', level: 'normal' })).rejects.toThrow(/No gate of nowhere/);
    expect(() => parseAreas(`ok\n${'x'.repeat(129)}`)).toThrow(/Line 2/);
    expect(parseAreas('A省B市\nA省B市，C省D市、 E省F市\n')).toEqual(['A省B市', 'C省D市', 'E省F市']);
    await expect(words.preview({ site: 'v1', kind: 'announcements', announcements: [{ id: 'n1', text: { zh: '通知' } }] })).rejects.toThrow(/needs "at"/);
    await expect(words.preview({ site: 'v1', kind: 'announcements', announcements: [{ id: 'n1', text: { zh: '通知' }, at: ['25:00'] }] })).rejects.toThrow(/Not a valid update/);
    const away = await setup({ failPublish: true });
    const p = await away.words.preview({ site: 'v1', kind: 'risk-areas', areas: ['A省B市'] });
    await expect(away.words.send({ site: 'v1', kind: 'risk-areas', areas: ['A省B市'] }, p.confirm, 'duty1')).rejects.toThrow(/nothing changed/);
    expect(await away.words.history()).toEqual([]);
  });

  it('sends revocations, thresholds and quarantine as the gates\' schemas have them, and refuses what they refuse', async () => {
    const { words } = await setup();
    expect(parseIds('card-1, card-2\ncard-1 card-3')).toEqual(['card-1', 'card-2', 'card-3']);
    expect((await words.preview({ site: 'v1', kind: 'revocations', cards: ['card-1', 'card-2'] })).body).toMatchObject({ cards: ['card-1', 'card-2'] });
    expect((await words.preview({ site: 'v1', kind: 'policy', thresholds: { feverThreshold: 37.2 } })).summary).toEqual({ thresholds: { feverThreshold: 37.2 } });
    await expect(words.preview({ site: 'v1', kind: 'policy', thresholds: { feverThreshold: 42 } })).rejects.toThrow(/feverThreshold/);
    await expect(words.preview({ site: 'v1', kind: 'policy', thresholds: { doorOpen: true } })).rejects.toThrow(/doorOpen/);
    await expect(words.preview({ site: 'v1', kind: 'policy', thresholds: {} })).rejects.toThrow(/at least one/);
    const until = Date.now() + 86_400_000;
    const q = await words.preview({ site: 'v1', kind: 'quarantine', changes: [{ personId: 'p1', next: { kind: 'home', until } }, { personId: 'p2', next: null, signOff: { signedBy: ['村医'], tests: [1, 2] } }] });
    expect(q.summary).toEqual({ set: 1, released: 1, persons: ['p1', 'p2'] });
    await expect(words.preview({ site: 'v1', kind: 'quarantine', changes: [{ personId: 'p2', next: null, signOff: { signedBy: ['村医'], tests: [1] } }] })).rejects.toThrow(/tests/);
  });

  it('checks a roster spreadsheet by the gate\'s own rules, naming each bad row, and previews only a clean one', async () => {
    const { words } = await setup();
    const bad = await checkRosterSheet(Buffer.from('户号,姓名,身份证号,手机号\nh1,张三,11010519491231002X,13800138000\nh1,李四,110105194912310021,电话12\n,王五,,\n'), 'r.csv', { now: Date.now() });
    expect(bad.roster).toBeUndefined();
    expect(bad.problems.map((p) => [p.row, p.reason])).toEqual([[3, 'id-check-digit'], [3, 'bad-phone'], [4, 'missing']]);
    const good = await checkRosterSheet(Buffer.from('户号,姓名,身份证号,地址,卡号\nh1,张三,11010519491231002X,东村1号,c-1\nh1,李四,,东村1号,\n'), 'r.csv', { now: Date.now() });
    expect(good.problems).toEqual([]);
    const p = await words.preview({ site: 'v1', kind: 'roster/delta', roster: good.roster as NonNullable<typeof good.roster> });
    expect(p.summary).toEqual({ file: 'r.csv', households: 1, persons: 2, cards: 1, vehiclePermits: 0 });
    expect(p.body).toMatchObject({ households: [{ id: 'h1', address: '东村1号' }], cards: [{ id: 'c-1', type: 'person', issuedBy: 'hub' }] });
  });

  it('sends the latest update again to an online gate that has not answered, on its own topic, until it does', async () => {
    const { words, published, writer, state } = await setup();
    const p1 = await words.preview({ site: 'v1', kind: 'zone', level: 'controlled' });
    const first = await words.send({ site: 'v1', kind: 'zone', level: 'controlled' }, p1.confirm, 'duty1');
    const p2 = await words.preview({ site: 'v1', kind: 'zone', level: 'sealed' });
    const latest = await words.send({ site: 'v1', kind: 'zone', level: 'sealed' }, p2.confirm, 'duty1');
    await words.answer('g1', { ref: { id: latest.id }, result: 'applied', reasons: [] }, 1);
    published.length = 0;
    expect(await words.retry()).toEqual([`v1/g2/zone@${latest.version}`]);
    expect(published).toEqual([{ topic: 'checkpoint/v1/v1/g2/cmd/zone', body: expect.objectContaining({ id: latest.id, level: 'sealed' }), retain: false }]);
    expect(first.version).toBeLessThan(latest.version);
    // The history counts the resends per gate.
    expect(await words.retry()).toEqual([`v1/g2/zone@${latest.version}`]);
    expect((await words.history({ id: latest.id }))[0]?.answers.map((a) => [a.gate, a.result, a.resent])).toEqual([['g1', 'applied', 0], ['g2', 'pending', 2]]);
    // g2 held it already (its answer was lost): "not newer, current = this version" counts as applied.
    await words.answer('g2', { ref: { id: latest.id }, result: 'rejected', reasons: [{ code: 'version.old', zh: '', en: '' }], currentVersion: latest.version }, 2);
    // And g1, sent it again, never turns its applied into a rejection.
    await words.answer('g1', { ref: { id: latest.id }, result: 'rejected', reasons: [{ code: 'version.old', zh: '', en: '' }], currentVersion: latest.version + 1 }, 3);
    expect((await words.history({ id: latest.id }))[0]?.answers.map((a) => [a.gate, a.result])).toEqual([['g1', 'applied'], ['g2', 'applied']]);
    expect(await words.retry()).toEqual([]);
    // A gate gone offline is not sent to: it gets the retained copy on its return.
    const p3 = await words.preview({ site: 'v1', kind: 'zone', level: 'normal' });
    await words.send({ site: 'v1', kind: 'zone', level: 'normal' }, p3.confirm, 'duty1');
    await writer.write({ records: [], states: [{ ...state('g2', {}), json: JSON.stringify({ status: 'offline', versions: {} }), online: false }], rejects: [] });
    expect(await words.retry()).toEqual([`v1/g1/zone@${p3.version}`]);
  });

  it('resends on its own, every interval, until stopped', async () => {
    const { words, published } = await setup();
    const p = await words.preview({ site: 'v1', kind: 'policy', thresholds: { feverThreshold: 37.5 } });
    await words.send({ site: 'v1', kind: 'policy', thresholds: { feverThreshold: 37.5 } }, p.confirm, 'duty1');
    const resent = () => published.filter((x) => !x.retain).map((x) => x.topic);
    const stop = words.startRetry(20, (err) => {
      throw err;
    });
    try {
      await expect.poll(() => new Set(resent()).size, { timeout: 10_000, interval: 10 }).toBe(2);
      expect(new Set(resent())).toEqual(new Set(['checkpoint/v1/v1/g1/cmd/policy', 'checkpoint/v1/v1/g2/cmd/policy']));
    } finally {
      stop();
    }
  });
});
