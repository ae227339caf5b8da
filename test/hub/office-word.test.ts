// The word to the gates on both engines: versions above what was sent and what the gates hold, the
// gates' own schemas, a confirmation that must match the preview, nothing kept when the broker is
// away, answers matched to their update by id.
import { afterEach, describe, expect, it } from 'vitest';
import { parseAreas, WordDesk } from '../../src/hub/office/downlinks.js';
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
    const published: Array<{ topic: string; body: Record<string, unknown> }> = [];
    const reader = new HubReader(opened.db);
    const words = new WordDesk(opened.db, {
      histories: () => reader.histories(),
      root: 'checkpoint',
      publish: async (topic, body) => {
        if (o.failPublish) throw new Error('not connected to the broker');
        published.push({ topic, body: JSON.parse(body) });
      },
    });
    return { words, published, db: opened.db };
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
      { gate: 'g1', result: 'pending', reasons: [], at: null },
      { gate: 'g2', result: 'pending', reasons: [], at: null },
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
});
