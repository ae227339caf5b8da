// espeak-ng renders text to a WAV file: the clip set at build/install time (`gate voice clips`) and
// an announcement's text when it arrives (in the background, cached). Never on the door path.
import { execFile } from 'node:child_process';
import type { SpeechLang } from '../vocabulary.js';

/** espeak-ng voice and speed (words per minute; slower than its 175 default, for older listeners). */
export const ESPEAK_VOICES: Record<SpeechLang, { voice: string; speed: number }> = {
  'zh-CN': { voice: 'cmn', speed: 160 },
  en: { voice: 'en-gb', speed: 160 },
};

/** A syllable alone is drawn out by espeak-ng; number clips are rendered faster so "三十七点八" flows. */
export const NUMBER_SPEED_FACTOR = 1.4;

export function espeakArgs(text: string, lang: SpeechLang, file: string, speed = ESPEAK_VOICES[lang].speed): string[] {
  return ['-v', ESPEAK_VOICES[lang].voice, '-s', String(speed), '-w', file, '--', text];
}

export function renderSpeech(text: string, lang: SpeechLang, file: string, command = 'espeak-ng', speed?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, espeakArgs(text, lang, file, speed), { timeout: 60_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const code = (err as NodeJS.ErrnoException).code;
      reject(new Error(code === 'ENOENT' ? `${command} not found: install espeak-ng (apt-get install espeak-ng)` : `${command} failed: ${String(stderr).trim() || err.message}`));
    });
  });
}

/** "espeak-ng 1.51" or undefined when it is not installed. */
export function espeakVersion(command = 'espeak-ng'): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, ['--version'], { timeout: 10_000 }, (err, out) => {
      if (err) return resolve(undefined);
      const m = /eSpeak NG text-to-speech: (\S+)/.exec(String(out));
      resolve(m ? `espeak-ng ${m[1]}` : 'espeak-ng');
    });
  });
}
