// Renders the whole clip set with espeak-ng into <dir>/<lang>/<clip>.wav, with a manifest that
// says what each file says and how it was made; a clip whose text and voice are unchanged is kept.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clipTexts, SPEECH_LANGS, type SpeechLang } from '../vocabulary.js';
import { ESPEAK_VOICES, espeakVersion, NUMBER_SPEED_FACTOR, renderSpeech } from './render.js';
import { durationMs, parseWav, trimSilence } from './wav.js';

export interface ClipManifest {
  engine: string;
  clips: Record<string, { text: string; voice: string; speed: number; bytes: number; ms: number }>;
}

export interface RenderResult {
  rendered: number;
  kept: number;
  bytes: number;
  /** Sound after trimming, summed (what is actually played). */
  ms: number;
  manifest: ClipManifest;
}

export const MANIFEST = 'manifest.json';

const speedOf = (lang: SpeechLang, id: string): number => Math.round(ESPEAK_VOICES[lang].speed * (id.startsWith('num-') || id === 'point' ? NUMBER_SPEED_FACTOR : 1));

export function readManifest(dir: string): ClipManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as ClipManifest;
  } catch {
    return undefined;
  }
}

/** Throws when espeak-ng is missing (the message says which package to install). */
export async function renderClipSet(dir: string, opts: { languages?: readonly SpeechLang[]; force?: boolean; command?: string; concurrency?: number } = {}): Promise<RenderResult> {
  const engine = await espeakVersion(opts.command);
  if (!engine) throw new Error(`${opts.command ?? 'espeak-ng'} not found: install espeak-ng (apt-get install espeak-ng) to render the voice clips`);
  const old = readManifest(dir);
  const manifest: ClipManifest = { engine, clips: {} };
  const jobs: Array<{ key: string; lang: SpeechLang; text: string; file: string }> = [];
  let kept = 0;
  for (const lang of opts.languages ?? SPEECH_LANGS) {
    mkdirSync(join(dir, lang), { recursive: true });
    const { voice } = ESPEAK_VOICES[lang];
    for (const [id, text] of Object.entries(clipTexts(lang))) {
      const speed = speedOf(lang, id);
      const key = `${lang}/${id}`;
      const file = join(dir, lang, `${id}.wav`);
      const was = old?.clips[key];
      if (!opts.force && was && old?.engine === engine && was.text === text && was.voice === voice && was.speed === speed && existsSync(file) && statSync(file).size === was.bytes) {
        manifest.clips[key] = was;
        kept++;
      } else jobs.push({ key, lang, text, file });
    }
  }
  let next = 0;
  const worker = async () => {
    for (let j = jobs[next++]; j; j = jobs[next++]) {
      rmSync(j.file, { force: true });
      const speed = speedOf(j.lang, j.key.slice(j.lang.length + 1));
      await renderSpeech(j.text, j.lang, j.file, opts.command, speed);
      const bytes = statSync(j.file).size;
      const { voice } = ESPEAK_VOICES[j.lang];
      manifest.clips[j.key] = { text: j.text, voice, speed, bytes, ms: Math.round(durationMs(trimSilence(parseWav(readFileSync(j.file))))) };
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 2 }, worker));
  const sorted: ClipManifest = { engine, clips: Object.fromEntries(Object.entries(manifest.clips).sort(([a], [b]) => a.localeCompare(b))) };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(sorted, null, 1)}\n`);
  const all = Object.values(sorted.clips);
  return { rendered: jobs.length, kept, bytes: all.reduce((s, c) => s + c.bytes, 0), ms: all.reduce((s, c) => s + c.ms, 0), manifest: sorted };
}
