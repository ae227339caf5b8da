// The loudspeaker's kiosk API through fastify inject: the mute switch (any operator, audited) and
// the admin's announcements (audited, validated, played by the voice feature).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockDrivers } from '../../hardware-mocks/drivers.js';
import { mockVoices } from '../../hardware-mocks/voice.js';
import { voiceAnnouncements } from '../../src/app/voice-announcements.js';
import { DriverRegistry, realDrivers } from '../../src/devices/drivers.js';
import { createVoice, type VoiceFeature } from '../../src/devices/voice/index.js';
import { syntheticClips } from '../devices/voice-rig.js';
import { injectHarness } from './harness.js';

type H = Awaited<ReturnType<typeof injectHarness>>;
let h: H;
let voice: VoiceFeature;
let admin = '';
let volunteer = '';

const cookieOf = (res: { cookies: Array<{ name: string; value: string }> }) => `gate_session=${res.cookies.find((x) => x.name === 'gate_session')?.value}`;
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, cookie?: string, payload?: unknown) =>
  h.app.inject({ method, url, ...(cookie ? { headers: { cookie } } : {}), ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  h = await injectHarness({}, (parts) => {
    voice = createVoice({ ctx: parts.ctx, lanes: parts.config.lanes, drivers: new DriverRegistry(realDrivers, mockDrivers), clipsDir: syntheticClips(), announcements: () => voiceAnnouncements(parts.ledger.policyStates()) });
    return { voice };
  });
  await voice.start();
  await voice.loaded();
  admin = cookieOf(await call('POST', '/api/setup', undefined, { name: '村书记', pin: '246810' }));
  await call('POST', '/api/operators', admin, { id: 'v01', name: '志愿者甲', role: 'volunteer', pin: '135791' });
  volunteer = cookieOf(await call('POST', '/api/login', undefined, { operatorId: 'v01', pin: '135791' }));
});
afterAll(async () => {
  await voice?.stop();
  await h?.stop();
});

describe('voice API', () => {
  it('shows the loudspeaker to a signed-in operator only', async () => {
    expect((await call('GET', '/api/voice')).statusCode).toBe(401);
    expect((await call('GET', '/api/voice', volunteer)).json()).toMatchObject({ enabled: true, muted: false, languages: ['zh-CN'], lanes: [{ lane: 'main', driver: 'mock', volume: 80 }], clipProblems: 0 });
  });

  it('lets a volunteer mute and unmute, and audits both with the operator', async () => {
    expect((await call('POST', '/api/voice/mute', volunteer, { muted: true })).json()).toMatchObject({ muted: true, mutedBy: 'v01' });
    expect(voice.state().muted).toBe(true);
    expect((await call('POST', '/api/voice/mute', volunteer, { muted: false })).json()).toMatchObject({ muted: false });
    const audit = h.ledger.auditLog({ action: 'config-change' }).filter((a) => a.detail.kind === 'voice-mute');
    expect(audit.map((a) => [a.actor, a.detail.muted])).toEqual(expect.arrayContaining([['v01', true], ['v01', false]]));
    expect((await call('POST', '/api/voice/mute', volunteer, { muted: 'yes' })).json().code).toBe('VALIDATION');
  });

  it('lets the admin set announcements (audited); a volunteer may not; bad ones are refused with a reason', async () => {
    const list = [{ id: 'night-close', text: { zh: '各位村民，卡口晚上九点关闭，请尽早回家。' }, at: ['20:50'] }];
    expect((await call('PUT', '/api/voice/announcements', volunteer, { announcements: list })).statusCode).toBe(403);
    const ok = await call('PUT', '/api/voice/announcements', admin, { announcements: list });
    expect(ok.json()).toMatchObject({ version: 1, announcements: list });
    expect((await call('GET', '/api/voice/announcements', admin)).json().announcements).toEqual(list);
    expect(voice.state().announcements.map((a) => a.id)).toEqual(['night-close']);
    expect(h.ledger.auditLog({ action: 'policy-change' }).some((a) => a.actor === 'admin' && a.detail.kind === 'announcements-local')).toBe(true);
    const noTime = await call('PUT', '/api/voice/announcements', admin, { announcements: [{ id: 'x', text: { zh: '通知' } }] });
    expect(noTime.statusCode).toBe(400);
    expect(noTime.json().en).toMatch(/needs "at" .* or "every"/);
    const badTime = await call('PUT', '/api/voice/announcements', admin, { announcements: [{ id: 'x', text: { zh: '通知' }, at: ['25:00'] }] });
    expect(badTime.json().code).toBe('VALIDATION');
  });
});

describe('announcements for the kiosk screen', () => {
  it('shows every operator both lists, each notice with its source, and the quiet hours', async () => {
    h.ledger.applyPolicy('announcements', 3, { announcements: [{ id: 'office-1', text: { zh: '明天上午全员核酸' }, every: 30, from: '08:00', to: '18:00' }] }, 'hub');
    const got = (await call('GET', '/api/voice/announcements', volunteer)).json();
    expect(got).toMatchObject({ version: 1, announcements: [{ id: 'night-close' }], hub: { version: 3, announcements: [{ id: 'office-1', every: 30 }] } });
    const state = (await call('GET', '/api/voice', volunteer)).json();
    expect(state.announcements.map((a: { id: string; source: string }) => [a.id, a.source])).toEqual([['office-1', 'hub'], ['night-close', 'local']]);
    expect((await call('GET', '/api/status', volunteer)).json().loudspeaker).toBe(true);
  });

  it('plays a draft now on the idle loudspeaker for the admin (audited), never for a volunteer, nor muted, nor over a passage', async () => {
    const mock = mockVoices.get('main');
    if (!mock) throw new Error('no mock loudspeaker');
    const draft = { id: 'draft-1', text: { zh: '今晚八点停电检修' } };
    expect((await call('POST', '/api/voice/announcements/play', volunteer, draft)).statusCode).toBe(403);
    const heard = new Promise<{ id: string; text: string; urgency: number }>((resolve) => {
      const off = mock.onSpoken((r) => {
        if (r.text === draft.text.zh) {
          off();
          resolve(r);
        }
      });
    });
    const ok = await call('POST', '/api/voice/announcements/play', admin, draft);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ result: 'playing', lanes: [{ lane: 'main', result: 'playing' }] });
    expect(await heard).toMatchObject({ id: expect.stringMatching(/^preview\|draft-1\|/), urgency: 0 });
    expect(h.ledger.auditLog({ action: 'config-change' }).some((a) => a.actor === 'admin' && a.detail.kind === 'announcement-play' && a.detail.id === 'draft-1')).toBe(true);
    // Still playing: a second one waits for the lane to be silent.
    const busy = await call('POST', '/api/voice/announcements/play', admin, draft);
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: 'VOICE_UNAVAILABLE' });
    mock.finish();
    voice.setMuted(true, 'admin');
    const muted = await call('POST', '/api/voice/announcements/play', admin, draft);
    expect(muted.json()).toMatchObject({ code: 'VOICE_UNAVAILABLE', zh: expect.stringContaining('已静音') });
    voice.setMuted(false, 'admin');
    expect((await call('POST', '/api/voice/announcements/play', admin, { id: 'x', text: { zh: '' } })).json().code).toBe('VALIDATION');
    // A passage in progress (a card scanned, the temperature asked for): the notice waits, the prompt is said.
    const asked = new Promise<void>((resolve) => {
      const off = mock.onSpoken((r) => {
        if (r.urgency > 0) {
          off();
          resolve();
        }
      });
    });
    h.runtime.input({ type: 'scan', lane: 'main', text: `${h.tokens['hh-001']}\r` });
    await asked;
    mock.finish();
    const during = await call('POST', '/api/voice/announcements/play', admin, draft);
    expect(during.json()).toMatchObject({ code: 'VOICE_UNAVAILABLE', en: expect.stringContaining('passage') });
  });
});
