// `gate check-config` with a loudspeaker configured: it names every missing or unreadable clip.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticClips } from '../devices/voice-rig.js';
import { tempDir } from '../helpers/temp-dir.js';

const gate = join(import.meta.dirname, '../../bin/gate.js');

function check(clipsDir: string, recordingsDir: string) {
  const file = join(tempDir('gate-voicecfg-'), 'config.yaml');
  writeFileSync(file, `lanes:\n  - id: main\n    voice: { driver: aplay, device: default }\nvoice:\n  languages: [zh-CN]\n  clipsDir: ${clipsDir}\n  recordingsDir: ${recordingsDir}\n`);
  return { file, ...spawnSync(process.execPath, [gate, 'check-config', file], { encoding: 'utf8' }) };
}

describe('gate check-config and the voice clips', () => {
  it('is ok when every clip is there', () => {
    const r = check(syntheticClips(), tempDir('gate-rec-'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/voice: 54 clips in zh-CN/);
  });

  it('names a missing clip and an unreadable recording, and exits 2', () => {
    const clips = syntheticClips();
    rmSync(join(clips, 'zh-CN', 'fever-wait.wav'));
    const rec = tempDir('gate-rec-');
    mkdirSync(join(rec, 'zh-CN'));
    writeFileSync(join(rec, 'zh-CN', 'pass.wav'), 'not audio at all');
    const r = check(clips, rec);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${r.file}: voice clip zh-CN/fever-wait (${join(clips, 'zh-CN', 'fever-wait.wav')}): missing: render the clips with \`gate voice clips\``);
    expect(r.stderr).toMatch(/voice clip zh-CN\/pass \(.*pass\.wav\): recording not a WAV file .*; the rendered clip is used instead/);
  });
});
