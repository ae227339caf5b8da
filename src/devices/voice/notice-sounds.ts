// The sound of an announcement: the chime phrase, then the site's recording of the notice or its text
// rendered by espeak-ng in the background (cached in the data folder by the text's hash). Never on
// the door path: a notice is ready before it falls due, or it is not played.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SpeechLang } from '../vocabulary.js';
import type { Announcement } from './announcements.js';
import { GAPS } from './clips.js';
import { renderSpeech } from './render.js';
import { concat, type Pcm, parseWav, sameFormat, silence, trimSilence } from './wav.js';

export interface NoticeSound {
  sound?: Pcm[];
  problem?: string;
}

export interface NoticeSoundsOptions {
  recordingsDir: string;
  cacheDir: string;
  languages: readonly SpeechLang[];
  chime: () => Pcm[];
  log: Logger;
}

/** Two full lists (50 each) and a few previews. */
const MAX_KEPT = 120;

export class NoticeSounds {
  private readonly made = new Map<string, NoticeSound>();
  private readonly making = new Map<string, Promise<NoticeSound>>();

  constructor(private readonly o: NoticeSoundsOptions) {}

  /** The sound when it is ready, its problem when it cannot be made; starts making it on the first call. */
  get(a: Announcement): NoticeSound {
    const key = this.keyOf(a);
    const have = this.made.get(key);
    if (have) return have;
    const entry: NoticeSound = {};
    this.made.set(key, entry);
    // The lists' notices and the admin's previews of drafts: the oldest beyond the cap are made again
    // (from the cache folder) when asked for next.
    for (const k of this.made.keys()) {
      if (this.made.size <= MAX_KEPT) break;
      this.made.delete(k);
      this.making.delete(k);
    }
    const assemble = (pieces: Pcm[]) => {
      const runs: Pcm[][] = this.o.chime().map((c) => [c]);
      for (const p of pieces) {
        const run = runs.at(-1);
        if (run?.[0] && sameFormat(run[0], p)) run.push(silence(p, GAPS.language), p);
        else runs.push([p]);
      }
      entry.sound = runs.map(concat);
    };
    const failed = (err: unknown) => {
      entry.problem = (err as Error).message;
      this.o.log.warn({ announcement: a.id, err: entry.problem }, 'announcement cannot be played');
    };
    if (a.clip) {
      // The site's own recording of the notice.
      const file = join(this.o.recordingsDir, 'announcements', `${a.clip}.wav`);
      try {
        assemble([trimSilence(parseWav(readFileSync(file)))]);
      } catch (err) {
        failed(new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}`));
      }
      this.making.set(key, Promise.resolve(entry));
      return entry;
    }
    const { languages } = this.o;
    const making = (async () => {
      try {
        mkdirSync(this.o.cacheDir, { recursive: true });
        const pieces: Pcm[] = [];
        for (const lang of languages) {
          const text = lang === 'zh-CN' ? a.text.zh : a.text.en;
          if (!text) continue;
          const file = join(this.o.cacheDir, `${key}-${lang}.wav`);
          if (!existsSync(file)) {
            await renderSpeech(text, lang, `${file}.part`);
            renameSync(`${file}.part`, file);
          }
          pieces.push(trimSilence(parseWav(readFileSync(file))));
        }
        assemble(pieces);
      } catch (err) {
        failed(err);
      }
      return entry;
    })();
    this.making.set(key, making);
    return entry;
  }

  /** The sound once it is made (or its problem): the admin's play-now waits for a text just typed. */
  ready(a: Announcement): Promise<NoticeSound> {
    this.get(a);
    return this.making.get(this.keyOf(a)) ?? Promise.resolve(this.get(a));
  }

  /**
   * Deletes renderings in the cache folder that no notice in `keep` uses and that were made more than
   * `olderThanMs` ago (drafts the admin tried, notices since removed), so an SD card does not fill
   * with them. Returns how many went.
   */
  prune(keep: readonly Announcement[], olderThanMs: number, now = Date.now()): number {
    const used = new Set(keep.map((a) => this.keyOf(a)));
    let gone = 0;
    let files: string[];
    try {
      files = readdirSync(this.o.cacheDir);
    } catch {
      return 0;
    }
    for (const f of files) {
      const m = /^([0-9a-f]{16})-/.exec(f);
      if (!m || used.has(m[1] as string)) continue;
      try {
        const file = join(this.o.cacheDir, f);
        if (now - statSync(file).mtimeMs < olderThanMs) continue;
        unlinkSync(file);
        gone++;
      } catch {}
    }
    return gone;
  }

  private keyOf(a: Announcement): string {
    return createHash('sha256').update(JSON.stringify([a.clip ?? null, this.o.languages.map((l) => (l === 'zh-CN' ? a.text.zh : a.text.en ?? null))])).digest('hex').slice(0, 16);
  }
}
