// `gate voice`: render the clip set (build and install time) and try a loudspeaker.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { packageDir } from '../../kernel/package-dir.js';
import { renderClipSet } from '../../devices/voice/clip-set.js';
import { ClipLibrary } from '../../devices/voice/clips.js';
import { createAplayVoice } from '../../devices/voice/aplay.js';
import { PHRASES, type PhraseId, SPEECH_LANGS, type SpeechLang } from '../../gate/speech-clips.js';
import { URGENCY, utteranceText } from '../../gate/speech.js';
import { scale } from '../../devices/voice/wav.js';

export const defaultClipsDir = (): string => resolve(packageDir(), 'dist', 'clips');

export function register(program: Command): void {
  const voice = program.command('voice').description('Spoken prompts: render the clips, try a loudspeaker (docs/voice.md)');
  voice
    .command('clips')
    .description('Render every clip with espeak-ng (voice cmn for zh-CN) into dist/clips; unchanged clips are kept')
    .option('--out <dir>', 'where to write them', '')
    .option('--force', 'render every clip again')
    .option('--optional', 'when espeak-ng is missing, warn and exit 0 (npm run build on a machine without it)')
    .action(async (opts: { out: string; force?: boolean; optional?: boolean }) => {
      const dir = opts.out || defaultClipsDir();
      const started = performance.now();
      try {
        const r = await renderClipSet(dir, { ...(opts.force ? { force: true } : {}) });
        console.log(`voice clips: ${r.rendered} rendered, ${r.kept} unchanged, ${Object.keys(r.manifest.clips).length} in ${dir} (${(r.bytes / 1024).toFixed(0)} KiB, ${(r.ms / 1000).toFixed(1)} s of sound, ${r.manifest.engine}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        console.error(`voice clips: ${(err as Error).message}`);
        if (!opts.optional) process.exitCode = 1;
      }
    });
  voice
    .command('say')
    .description('Play a phrase on an ALSA device, to try the loudspeaker and the volume')
    .argument('[phrase]', `one of: ${Object.keys(PHRASES).join(', ')}`, 'normal-pass')
    .option('-D, --device <alsa>', 'ALSA device (aplay -L lists them)', 'default')
    .option('--volume <percent>', 'volume, 0-100', '80')
    .option('--lang <lang>', `language: ${SPEECH_LANGS.join(' | ')}`, 'zh-CN')
    .option('--clips <dir>', 'rendered clips', '')
    .option('--recordings <dir>', 'the site’s own recordings', '')
    .action(async (phrase: string, opts: { device: string; volume: string; lang: string; clips: string; recordings: string }) => {
      if (!(phrase in PHRASES)) throw new Error(`Unknown phrase "${phrase}"; one of: ${Object.keys(PHRASES).join(', ')}`);
      if (!(SPEECH_LANGS as readonly string[]).includes(opts.lang)) throw new Error(`Unknown language "${opts.lang}"; one of ${SPEECH_LANGS.join(', ')}`);
      const lang = opts.lang as SpeechLang;
      const lib = ClipLibrary.load({ clipsDir: opts.clips || defaultClipsDir(), ...(opts.recordings ? { recordingsDir: opts.recordings } : {}), languages: [lang] });
      const u = { id: phrase, lane: 'cli', urgency: URGENCY.prompt, parts: phrase === 'normal-pass' ? ['temp-is' as const, { number: 36.5 }, 'degrees' as const, 'normal-pass' as const] : [phrase as PhraseId] };
      const sound = lib.sound(u);
      if (sound.length === 0) throw new Error(`No clips for "${phrase}" (${lib.problems[0]?.problem ?? 'none loaded'})`);
      const volume = Math.max(0, Math.min(100, Number(opts.volume) || 0));
      console.log(`${opts.device}: ${utteranceText(u, lang)}`);
      await createAplayVoice({ device: opts.device }).play({ utterance: u, text: utteranceText(u, lang), sound: sound.map((p) => scale(p, volume)), volume }).done;
    });
}
