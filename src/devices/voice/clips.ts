// The clips the loudspeaker plays: the rendered set (espeak-ng, made at build time) with the site's
// own recordings laid over it clip by clip. At start every file is read once, checked and trimmed of
// its silence, and only where its sound lies is kept (about 8 MB of samples a language stay on disk).
// A prompt's clips are read from there when it is first composed (src/devices/voice/feature.ts keeps
// the joined prompts), the most recent within CLIP_CACHE_BYTES; nothing is synthesised when a prompt
// is spoken.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { clipTexts, type SpeechLang } from '../vocabulary.js';
import { type SpeechPart, utteranceClips } from '../vocabulary.js';
import { concat, type Pcm, type PcmFormat, sameFormat, silence, soundRange, wavLayout } from './wav.js';

/** Clip samples kept in memory once read (the numbers and the common words of the day's prompts). */
export const CLIP_CACHE_BYTES = 1024 * 1024;

export interface ClipProblem {
  lang: SpeechLang;
  clip: string;
  file?: string;
  problem: string;
}

/** A clip: its file, and where its sound (trimmed of silence) lies in it. */
export interface ClipSource extends PcmFormat {
  file: string;
  recorded: boolean;
  /** Byte range of the trimmed samples in the file. */
  offset: number;
  length: number;
  /** The file as it was read at start: a file changed since is read and trimmed afresh. */
  size: number;
  mtimeMs: number;
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

/** A clip file's index entry, or throws what is wrong with it ('missing', 'unreadable (…)', not a WAV …). */
type Indexer = (file: string, recorded: boolean) => ClipSource;

/** Where a clip file's sound lies (its samples trimmed of silence); throws what is wrong with it. */
function locate(buf: Buffer): Omit<ClipSource, 'file' | 'recorded' | 'size' | 'mtimeMs'> {
  const w = wavLayout(buf);
  const r = soundRange({ rate: w.rate, channels: w.channels, data: buf.subarray(w.offset, w.offset + w.length) });
  return { rate: w.rate, channels: w.channels, offset: w.offset + r.from, length: r.length };
}

const readProblem = (err: unknown): Error => {
  const code = (err as NodeJS.ErrnoException).code;
  return new Error(code === 'ENOENT' ? 'missing' : `unreadable (${code ?? (err as Error).message})`);
};

const indexNow: Indexer = (file, recorded) => {
  let buf: Buffer;
  let st: { size: number; mtimeMs: number };
  try {
    const fd = openSync(file, 'r');
    try {
      st = fstatSync(fd);
      buf = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw readProblem(err);
  }
  return { file, recorded, ...locate(buf), size: st.size, mtimeMs: st.mtimeMs };
};

/** How many clip files are read at once at start (each is dropped once located). */
const READ_AT_ONCE = 8;

/** A clip's samples from its file; a file changed since start is located afresh. */
function readSamples(c: ClipSource): Buffer {
  const fd = openSync(c.file, 'r');
  try {
    const st = fstatSync(fd);
    if (st.size !== c.size || st.mtimeMs !== c.mtimeMs) {
      const fresh = locate(readFileSync(fd));
      Object.assign(c, fresh, { size: st.size, mtimeMs: st.mtimeMs });
    }
    const data = Buffer.allocUnsafe(c.length);
    let got = 0;
    while (got < c.length) {
      const n = readSync(fd, data, got, c.length - got, c.offset + got);
      if (n === 0) throw new Error(`${c.file}: shorter than when it was read at start`);
      got += n;
    }
    return data;
  } finally {
    closeSync(fd);
  }
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

  /** Clip samples read lately, most recent last, within CLIP_CACHE_BYTES. */
  private readonly cache = new Map<ClipSource, Pcm>();
  private cacheBytes = 0;

  private constructor(
    private readonly clips: Map<string, ClipSource>,
    readonly languages: readonly SpeechLang[],
    readonly problems: ClipProblem[],
  ) {}

  /**
   * The same as load, with the files read without blocking the event loop (the daemon's start: about
   * 8 MB of clips per language, which an SD card reads in a few hundred milliseconds).
   */
  static async loadAsync(dirs: ClipDirs): Promise<ClipLibrary> {
    const files: string[] = [];
    for (const lang of dirs.languages) {
      for (const id of Object.keys(clipTexts(lang))) files.push(join(dirs.clipsDir, lang, `${id}.wav`));
      if (dirs.recordingsDir) for (const f of wavNames(join(dirs.recordingsDir, lang))) files.push(join(dirs.recordingsDir, lang, f));
    }
    // Located a few at a time: only where each sound lies is kept, never all the files at once.
    const located = new Map<string, Omit<ClipSource, 'recorded'> | Error>();
    for (let i = 0; i < files.length; i += READ_AT_ONCE) {
      await Promise.all(
        files.slice(i, i + READ_AT_ONCE).map(async (file) => {
          try {
            const fh = await open(file, 'r');
            try {
              const st = await fh.stat();
              const buf = await fh.readFile();
              try {
                located.set(file, { file, ...locate(buf), size: st.size, mtimeMs: st.mtimeMs });
              } catch (err) {
                located.set(file, err as Error);
              }
            } finally {
              await fh.close();
            }
          } catch (err) {
            located.set(file, readProblem(err));
          }
        }),
      );
    }
    return ClipLibrary.load(dirs, (file, recorded) => {
      const got = located.get(file);
      if (got === undefined) return indexNow(file, recorded);
      if (got instanceof Error) throw got;
      return { ...got, recorded };
    });
  }

  /**
   * Reads and checks every clip of the languages and keeps where each one's sound lies; problems
   * (missing, unreadable, not 16-bit PCM, unknown recording) are listed, never thrown.
   */
  static load(dirs: ClipDirs, index: Indexer = indexNow): ClipLibrary {
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
            clips.set(`${lang}/${id}`, index(own, true));
            continue;
          } catch (err) {
            problems.push({ lang, clip: id, file: own, problem: `recording ${(err as Error).message}; the rendered clip is used instead` });
          }
        }
        try {
          clips.set(`${lang}/${id}`, index(rendered, false));
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

  /** Bytes of clip samples held in memory now (at most CLIP_CACHE_BYTES). */
  get heldBytes(): number {
    return this.cacheBytes;
  }

  /** A clip's samples, from the cache or its file; undefined when the file cannot be read any more. */
  samples(lang: SpeechLang, id: string): Pcm | undefined {
    const c = this.get(lang, id);
    if (!c) return undefined;
    const kept = this.cache.get(c);
    if (kept) {
      this.cache.delete(c);
      this.cache.set(c, kept);
      return kept;
    }
    let pcm: Pcm;
    try {
      const data = readSamples(c); // first: a changed file updates the format
      pcm = { rate: c.rate, channels: c.channels, data };
    } catch {
      return undefined;
    }
    this.cache.set(c, pcm);
    this.cacheBytes += pcm.data.length;
    for (const [k, p] of this.cache) {
      if (this.cacheBytes <= CLIP_CACHE_BYTES) break;
      this.cache.delete(k);
      this.cacheBytes -= p.data.length;
    }
    return pcm;
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
          const clip = this.samples(lang, id);
          if (!clip) continue;
          const gap = first ? (li > 0 ? GAPS.language : 0) : partIndex === prevPart || typeof part !== 'string' || part === 'degrees' ? GAPS.word : GAPS.phrase;
          push(clip, gap);
          prevPart = partIndex;
          first = false;
        }
        partIndex++;
      }
    }
    return runs.map(concat);
  }
}
