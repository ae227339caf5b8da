// The clips the loudspeaker plays, read into memory once: the rendered set (espeak-ng, made at
// build time) with the site's own recordings laid over it clip by clip. Nothing is read from disk
// or synthesised when a prompt is spoken.
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clipTexts, type SpeechLang } from '../vocabulary.js';
import { type SpeechPart, utteranceClips } from '../vocabulary.js';
import { concat, type Pcm, parseWav, sameFormat, silence, trimSilence } from './wav.js';

export interface ClipProblem {
  lang: SpeechLang;
  clip: string;
  file?: string;
  problem: string;
}

export interface ClipSource {
  pcm: Pcm;
  file: string;
  recorded: boolean;
}

export interface ClipDirs {
  /** Rendered clips: <dir>/<lang>/<clip>.wav. */
  clipsDir: string;
  /** The site's recordings, same layout; optional. */
  recordingsDir?: string;
  languages: readonly SpeechLang[];
}

/** Pauses (ms) between the clips of a number, between phrases, and between languages. */
export const GAPS = { word: 30, phrase: 180, language: 400 };

type Read = (file: string) => Buffer;

function readClip(file: string, read: Read): Pcm {
  let buf: Buffer;
  try {
    buf = read(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'missing' : `unreadable (${code ?? (err as Error).message})`);
  }
  return trimSilence(parseWav(buf));
}

const wavNames = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.wav'));
  } catch {
    return [];
  }
};

export class ClipLibrary {
  /** No clips yet (the daemon before its clips are read). */
  static empty(languages: readonly SpeechLang[]): ClipLibrary {
    return new ClipLibrary(new Map(), languages, []);
  }

  private constructor(
    private readonly clips: Map<string, ClipSource>,
    readonly languages: readonly SpeechLang[],
    readonly problems: ClipProblem[],
  ) {}

  /** Loads every clip of the languages; problems (missing, unreadable, not 16-bit PCM, unknown recording) are listed, never thrown. */
  /**
   * The same, with the files read without blocking the event loop (the daemon's start: about 8 MB of
   * clips per language, which an SD card reads in a few hundred milliseconds).
   */
  static async loadAsync(dirs: ClipDirs): Promise<ClipLibrary> {
    const files: string[] = [];
    for (const lang of dirs.languages) {
      for (const id of Object.keys(clipTexts(lang))) files.push(join(dirs.clipsDir, lang, `${id}.wav`));
      if (dirs.recordingsDir) for (const f of wavNames(join(dirs.recordingsDir, lang))) files.push(join(dirs.recordingsDir, lang, f));
    }
    const read = new Map<string, Buffer | Error>();
    await Promise.all(files.map(async (f) => read.set(f, await readFile(f).catch((err: Error) => err))));
    return ClipLibrary.load(dirs, (f) => {
      const got = read.get(f) ?? readFileSync(f);
      if (got instanceof Error) throw got;
      return got;
    });
  }

  static load(dirs: ClipDirs, read: Read = readFileSync): ClipLibrary {
    const clips = new Map<string, ClipSource>();
    const problems: ClipProblem[] = [];
    for (const lang of dirs.languages) {
      const ids = Object.keys(clipTexts(lang));
      // Clip name → file name (a phone or a Windows PC may write PASS.WAV).
      const recorded = new Map(dirs.recordingsDir ? wavNames(join(dirs.recordingsDir, lang)).map((f) => [f.slice(0, -4), f] as const) : []);
      for (const id of ids) {
        const ownName = recorded.get(id);
        const own = ownName && dirs.recordingsDir ? join(dirs.recordingsDir, lang, ownName) : undefined;
        const rendered = join(dirs.clipsDir, lang, `${id}.wav`);
        if (own) {
          try {
            clips.set(`${lang}/${id}`, { pcm: readClip(own, read), file: own, recorded: true });
            continue;
          } catch (err) {
            problems.push({ lang, clip: id, file: own, problem: `recording ${(err as Error).message}; the rendered clip is used instead` });
          }
        }
        try {
          clips.set(`${lang}/${id}`, { pcm: readClip(rendered, read), file: rendered, recorded: false });
        } catch (err) {
          const m = (err as Error).message;
          problems.push({ lang, clip: id, file: rendered, problem: m === 'missing' ? 'missing: render the clips with `gate voice clips` (needs espeak-ng) or record it' : m });
        }
      }
      for (const [name, file] of recorded) if (!ids.includes(name)) problems.push({ lang, clip: name, file: join(dirs.recordingsDir as string, lang, file), problem: 'recording of an unknown clip (misspelt name?); see docs/voice.md for the names' });
    }
    return new ClipLibrary(clips, dirs.languages, problems);
  }

  get(lang: SpeechLang, id: string): ClipSource | undefined {
    return this.clips.get(`${lang}/${id}`);
  }

  get size(): number {
    return this.clips.size;
  }

  /**
   * The sound of an utterance in every language, as runs of one format each (the site's recordings
   * may differ in rate from the rendered clips; each run is one player process). Missing clips are skipped.
   */
  sound(u: { parts: SpeechPart[] }): Pcm[] {
    const runs: Pcm[][] = [];
    let prevPart = -1;
    const push = (p: Pcm, gapMs: number) => {
      const run = runs.at(-1);
      if (run?.[0] && sameFormat(run[0], p)) {
        if (gapMs) run.push(silence(p, gapMs));
        run.push(p);
      } else runs.push([p]);
    };
    for (const [li, lang] of this.languages.entries()) {
      let partIndex = 0;
      let first = true;
      for (const part of u.parts) {
        const ids = utteranceClips({ parts: [part] }, lang);
        for (const id of ids) {
          const clip = this.get(lang, id);
          if (!clip) continue;
          const gap = first ? (li > 0 ? GAPS.language : 0) : partIndex === prevPart || typeof part !== 'string' || part === 'degrees' ? GAPS.word : GAPS.phrase;
          push(clip.pcm, gap);
          prevPart = partIndex;
          first = false;
        }
        partIndex++;
      }
    }
    return runs.map(concat);
  }
}
