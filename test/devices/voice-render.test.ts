// espeak-ng at build time and for announcements: the clip set is rendered once and kept while its
// texts are unchanged; an announcement's text is rendered in the background into the data folder.
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MANIFEST, renderClipSet } from '../../src/devices/voice/clip-set.js';
import { clipTexts } from '../../src/gate/speech-clips.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type VoiceRig, voiceRig } from './voice-rig.js';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.voice.stop();
  rig = undefined;
});

describe('rendering with espeak-ng', () => {
  it('renders every clip of a language once, keeps unchanged ones, renders again a clip whose text changed', async () => {
    const dir = tempDir('gate-render-');
    const first = await renderClipSet(dir, { languages: ['zh-CN'] });
    const n = Object.keys(clipTexts('zh-CN')).length;
    expect(first).toMatchObject({ rendered: n, kept: 0 });
    expect(readdirSync(join(dir, 'zh-CN'))).toHaveLength(n);
    expect(first.manifest.engine).toMatch(/^espeak-ng /);
    expect(first.manifest.clips['zh-CN/fever-wait']).toMatchObject({ text: '偏高，请到一旁等候工作人员', voice: 'cmn' });
    expect(first.manifest.clips['zh-CN/fever-wait']?.ms).toBeGreaterThan(1500);
    // As if the catalogue had said something else for one clip in the last build.
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
    m.clips['zh-CN/pass'].text = '请走';
    writeFileSync(join(dir, MANIFEST), JSON.stringify(m));
    expect(await renderClipSet(dir, { languages: ['zh-CN'] })).toMatchObject({ rendered: 1, kept: n - 1 });
  });

  it('says which package to install when espeak-ng is missing', async () => {
    await expect(renderClipSet(tempDir('gate-render-'), { command: 'espeak-ng-not-installed' })).rejects.toThrow(/install espeak-ng \(apt-get install espeak-ng\)/);
  });

  it('renders an announcement text in the background into the data folder, ready before it falls due', async () => {
    rig = voiceRig();
    rig.announcements.push({ id: 'night', text: { zh: '各位村民，卡口晚上九点关闭。' }, at: ['20:50'] });
    await rig.voice.start();
    await rig.voice.loaded();
    const r = rig;
    await expect.poll(() => r.voice.state().announcements[0], { timeout: 20_000, interval: 50 }).toMatchObject({ id: 'night', ready: true });
    expect(readdirSync(join(r.ctx.dataDir, 'voice-cache')).filter((f) => f.endsWith('-zh-CN.wav'))).toHaveLength(1);
  });

  it('forgets, at start, renderings older than a week that no notice uses (drafts tried, notices removed)', async () => {
    rig = voiceRig();
    const cache = join(rig.ctx.dataDir, 'voice-cache');
    mkdirSync(cache, { recursive: true });
    const weekAgo = (Date.now() - 8 * 86_400_000) / 1000;
    for (const f of ['0123456789abcdef-zh-CN.wav', 'fedcba9876543210-zh-CN.wav']) writeFileSync(join(cache, f), 'x');
    utimesSync(join(cache, '0123456789abcdef-zh-CN.wav'), weekAgo, weekAgo);
    rig.announcements.push({ id: 'night', text: { zh: '卡口九点关闭。' }, at: ['20:50'] });
    await rig.voice.start();
    await rig.voice.loaded();
    const r = rig;
    await expect.poll(() => r.voice.state().announcements[0], { timeout: 20_000, interval: 50 }).toMatchObject({ ready: true });
    // The old one is gone; one made today stays (it may be a draft being tried); the notice's own is kept.
    expect(readdirSync(cache)).toContain('fedcba9876543210-zh-CN.wav');
    expect(readdirSync(cache)).not.toContain('0123456789abcdef-zh-CN.wav');
    expect(readdirSync(cache)).toHaveLength(2);
  });
});
