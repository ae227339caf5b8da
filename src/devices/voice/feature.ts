// The voice feature: speaks what each lane's passage needs and its decision, plays announcements
// on idle lanes, keeps quiet hours and the kiosk's mute switch. The composition root hands it each
// decision right after the door (act); it starts the player one turn of the event loop later
// (setImmediate), so the relay never waits for a loudspeaker.
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import type { DaemonContext, Feature } from '../../kernel/feature.js';
import type { DriverRegistry } from '../drivers.js';
import type { SpeechLang } from '../vocabulary.js';
import { type Action, LaneSpeech, URGENCY, type Utterance, utteranceText } from '../vocabulary.js';
import { inWindows } from '../vocabulary.js';
import { type Announcement, dueKey } from './announcements.js';
import { ClipLibrary } from './clips.js';
import type { VoiceConfig, VoiceDeviceConfig } from '../config.js';
import type { VoiceEvents } from './events.js';
import { NoticeSounds } from './notice-sounds.js';
import { LanePlayer, type Spoken } from './player.js';
import type { Pcm } from './wav.js';
import type { VoiceDriver } from './types.js';

/** A rendered notice text no list uses any more (a draft tried, a notice removed) is deleted after this. */
export const NOTICE_CACHE_DAYS = 7;

/** Joined prompt sounds kept in memory (about 30 prompts of 6 s); each volume in use keeps a copy as large. */
export const SOUND_CACHE_BYTES = 8 * 1024 * 1024;

export interface VoiceOptions {
  ctx: DaemonContext<VoiceEvents, Config>;
  lanes: ReadonlyArray<{ id: string; voice?: VoiceDeviceConfig | undefined }>;
  /** The drivers the daemon was given (the mock loudspeaker only in simulation and tests). */
  drivers: DriverRegistry;
  /** Where rendered clips are (resolved by the caller; default dist/clips of the program). */
  clipsDir: string;
  /** The announcements in force (the hub's and the admin's), read again when the policy changes. */
  announcements: () => SourcedAnnouncement[];
  /** Scheduler period; tests pass a short one. */
  tickMs?: number;
}

/** An announcement and where it came from: the hub's downlink or the admin on the kiosk. */
export type SourcedAnnouncement = Announcement & { source?: 'hub' | 'local' };

/** What a play-now did: per lane, or why nothing played anywhere. */
export interface PlayNowResult {
  result: 'playing' | 'busy' | 'muted' | 'quiet' | 'problem' | 'none';
  lanes: Array<{ lane: string; result: 'playing' | 'busy' | 'silent' }>;
  problem?: string;
}

export interface VoiceState {
  enabled: boolean;
  muted: boolean;
  mutedBy?: string;
  quiet: boolean;
  quietMode?: 'lower' | 'tones';
  /** The configured quiet hours (site time), whether in them now or not. */
  quietHours?: { from: string; to: string; mode: 'lower' | 'tones'; volume: number };
  languages: SpeechLang[];
  lanes: Array<{ lane: string; driver: string; volume: number; speaking?: string }>;
  clipProblems: number;
  announcements: Array<{ id: string; source?: 'hub' | 'local'; text: string; clip?: string; at?: string[]; every?: number; ready: boolean; problem?: string }>;
}

export interface VoiceFeature extends Feature {
  state(): VoiceState;
  /**
   * A committed decision's actions, handed over right after the lane's devices took them (the
   * composition root's door): says the verdict, on the next turn of the event loop.
   */
  act(lane: string, actions: Action[], passageId?: string): void; // without a passage (the attention buzzer): nothing to say
  /** The kiosk's switch (the caller writes the audit entry). */
  setMuted(muted: boolean, actor: string): VoiceState;
  /**
   * The admin's 试听: plays a notice (saved or a draft) now, with its chime, on every idle lane (or
   * `lane`); never over a passage or a prompt, not when muted or in tones-only quiet hours. Waits
   * for a text just typed to be rendered.
   */
  playNow(a: Pick<Announcement, 'id' | 'text' | 'clip'>, lane?: string): Promise<PlayNowResult>;
  /** What the loudspeakers started saying last (at most 20), oldest first: `gate sim state` shows it. */
  recent(): Array<{ lane: string; text: string; volume: number; cut?: boolean }>;
  /** The clips, indexed (empty until `loaded`); their samples are read when a prompt is first composed. */
  readonly library: ClipLibrary;
  /** Resolves once the clips are read (start() reads them in the background). */
  loaded(): Promise<void>;
}

interface Lane {
  id: string;
  cfg: VoiceDeviceConfig;
  driver: VoiceDriver;
  player: LanePlayer;
  /** A passage is in progress (announcements wait). */
  busy: boolean;
  played: Map<string, Map<string, number>>;
  /** The waiting prompt said again if the passage is still waiting in that stage. */
  reminder?: NodeJS.Timeout | undefined;
}

export function createVoice(o: VoiceOptions): VoiceFeature {
  const { ctx } = o;
  const cfg: VoiceConfig = ctx.config.voice;
  const log = ctx.logger.child({ module: 'voice' });
  const languages = [...cfg.languages] as SpeechLang[];
  let library = ClipLibrary.empty(languages);
  let loading: Promise<void> | undefined;
  let ready = false;
  const speech = new LaneSpeech();
  const lanes = new Map<string, Lane>();
  const recent: Array<{ lane: string; text: string; volume: number; cut?: boolean; spoken: Spoken }> = [];
  let muted: { by: string } | undefined;
  const offs: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;

  const quiet = (): VoiceConfig['quietHours'] | undefined => {
    const q = cfg.quietHours;
    return q && inWindows([{ from: q.from, to: q.to }], ctx.clock.now(), ctx.config.site.timezone) ? q : undefined;
  };
  const volumeOf = (lane: Lane) => (): number | undefined => {
    if (muted) return undefined;
    const q = quiet();
    if (q) return q.mode === 'tones' ? undefined : Math.min(q.volume, lane.cfg.volume);
    return lane.cfg.volume;
  };
  const warned = new Set<string>();
  const warnOnce = (key: string, text: { zh: string; en: string }, laneId: string) => {
    if (warned.has(`${laneId}:${key}`)) return;
    warned.add(`${laneId}:${key}`);
    ctx.bus.emit('device.warning', { deviceId: `${laneId}-voice`, lane: laneId, code: key, text });
  };

  for (const l of o.lanes) {
    if (!l.voice) continue;
    const laneCfg = l.voice;
    let driver: VoiceDriver;
    try {
      driver = o.drivers.voice({ ...laneCfg, lane: l.id });
    } catch (err) {
      log.error({ lane: l.id, err: (err as Error).message }, 'loudspeaker not usable; the lane runs without voice');
      continue;
    }
    const lane: Lane = { id: l.id, cfg: laneCfg, driver, busy: false, played: new Map(), player: undefined as unknown as LanePlayer };
    lane.player = new LanePlayer({
      driver,
      volume: volumeOf(lane),
      now: () => ctx.clock.now(),
      onError: (err, s) => {
        log.warn({ lane: l.id, prompt: s.utterance.id, err: err.message }, 'loudspeaker failed');
        warnOnce('voice.player', { zh: `喇叭无法播放：${err.message}`, en: `Loudspeaker cannot play: ${err.message}` }, l.id);
      },
      onEvent: (event, s) => {
        log.debug({ lane: l.id, event, prompt: s.utterance.id, text: s.text }, 'voice');
        if (event === 'start') {
          recent.push({ lane: l.id, text: s.text, volume: volumeOf(lane)() ?? 0, spoken: s });
          if (recent.length > 20) recent.shift();
        } else if (event === 'cut') {
          const r = recent.findLast((x) => x.spoken === s);
          if (r) r.cut = true;
        }
        if (event === 'end' && s.utterance.urgency === URGENCY.announcement && s.utterance.id.startsWith('announcement|')) markPlayed(lane, s.utterance.id);
      },
    });
    lanes.set(l.id, lane);
  }
  const load = (): Promise<void> =>
    (loading ??= ClipLibrary.loadAsync({ clipsDir: o.clipsDir, recordingsDir: cfg.recordingsDir, languages }).then((l) => {
      library = l;
      ready = true;
      if (l.problems.length > 0) log.warn({ problems: l.problems.slice(0, 5).map((p) => `${p.lang}/${p.clip}: ${p.problem}`), count: l.problems.length }, 'some voice clips are missing or unreadable (gate check-config lists them)');
      // Render announcement texts now, not when they fall due; forget old renderings nothing uses.
      try {
        const list = o.announcements();
        for (const a of list) announcementSound(a);
        const gone = notices.prune(list, NOTICE_CACHE_DAYS * 86_400_000);
        if (gone > 0) log.info({ gone }, 'old announcement renderings removed from the cache');
      } catch {}
    }, (err: Error) => {
      ready = true;
      log.error({ err: err.message }, 'voice clips could not be read; the lanes stay silent');
    }));

  // A gate says the same few prompts all day: each one's samples are joined once, not at every
  // passage, within SOUND_CACHE_BYTES (the oldest go first; their volume copies with them).
  const sounds = new Map<string, Pcm[]>();
  let soundBytes = 0;
  const bytesOf = (s: Pcm[]) => s.reduce((n, p) => n + p.data.length, 0);
  const soundOf = (u: Utterance): Pcm[] => {
    const key = JSON.stringify(u.parts);
    const kept = sounds.get(key);
    if (kept) return kept;
    const sound = library.sound(u);
    if (sound.length === 0) return sound;
    sounds.set(key, sound);
    soundBytes += bytesOf(sound);
    for (const [k, s] of sounds) {
      if (soundBytes <= SOUND_CACHE_BYTES) break;
      sounds.delete(k);
      soundBytes -= bytesOf(s);
    }
    return sound;
  };
  const spokenOf = (u: Utterance): Spoken => ({ utterance: u, text: utteranceText(u, languages[0] as SpeechLang), sound: soundOf(u) });

  const say = (u: Utterance | undefined): void => {
    if (!u) return;
    const lane = lanes.get(u.lane);
    if (!lane) return;
    // Before the clips are read (the first moments after a start), the prompt waits for them.
    if (!ready && loading) {
      void loading.then(() => say(u));
      return;
    }
    // After the door and the rest of this turn: a loudspeaker never holds up the relay.
    setImmediate(() => {
      const spoken = spokenOf(u);
      if (spoken.sound.length === 0) warnOnce('voice.clips', { zh: '语音片段缺失，请运行 gate voice clips', en: 'Voice clips are missing; run gate voice clips' }, u.lane);
      lane.player.say(spoken);
    });
  };

  // A person who has not done what was asked (old, hard of hearing, a loud gate) hears it once more.
  const remindLater = (lane: Lane, u: Utterance | undefined): void => {
    if (lane.reminder) clearTimeout(lane.reminder);
    lane.reminder = undefined;
    if (!u || cfg.repeatAfterSeconds <= 0) return;
    lane.reminder = setTimeout(() => {
      lane.reminder = undefined;
      say({ ...u, id: `${u.id}|again` });
    }, cfg.repeatAfterSeconds * 1000);
    lane.reminder.unref?.();
  };

  // ---------- announcements ----------
  const markPlayed = (lane: Lane, utteranceId: string) => {
    const [, id, key] = utteranceId.split('|');
    if (!id || !key) return;
    const m = lane.played.get(id) ?? new Map<string, number>();
    m.set(key, ctx.clock.now());
    lane.played.set(id, m);
  };

  const notices = new NoticeSounds({ recordingsDir: cfg.recordingsDir, cacheDir: join(ctx.dataDir, 'voice-cache'), languages, chime: () => library.sound({ parts: ['notice-start'] }), log });
  const announcementSound = (a: Announcement) => notices.get(a);

  const tick = (): void => {
    if (!ready) return;
    const now = ctx.clock.now();
    let list: Announcement[];
    try {
      list = o.announcements();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'announcements could not be read');
      return;
    }
    for (const lane of lanes.values()) {
      if (lane.busy || !lane.player.idle || now - lane.player.lastSound < cfg.announcementIdleSeconds * 1000) continue;
      for (const a of list) {
        if (a.lanes && !a.lanes.includes(lane.id)) continue;
        const key = dueKey(a, now, ctx.config.site.timezone, lane.played.get(a.id) ?? new Map());
        if (!key) continue;
        const sound = announcementSound(a);
        if (!sound.sound) continue;
        const u: Utterance = { id: `announcement|${a.id}|${key}`, lane: lane.id, urgency: URGENCY.announcement, parts: [] };
        if (lane.player.say({ utterance: u, text: a.text.zh, sound: sound.sound }) === 'playing') break;
      }
    }
  };

  return {
    name: 'voice',
    get library() {
      return library;
    },
    loaded: () => load(),
    recent: () => recent.map(({ spoken: _s, ...r }) => r),
    start() {
      if (lanes.size === 0) return;
      offs.push(
        ctx.bus.on('passage.progress', (e) => {
          const lane = lanes.get(e.lane);
          if (!lane) return;
          lane.busy = true;
          const u = speech.progress(e);
          if (!u) return;
          say(u);
          remindLater(lane, u);
        }),
      );
      timer = setInterval(tick, o.tickMs ?? 5000);
      timer.unref?.();
      // Not awaited: reading the clips must not hold up the gate's start.
      void load();
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const l of lanes.values()) {
        remindLater(l, undefined);
        l.player.stop();
        await l.driver.close();
      }
    },
    act(lane, actions, passageId) {
      const l = lanes.get(lane);
      // Only a decision ends the lane's passage (a buzzer that calls for attention does not).
      if (!l || passageId === undefined) return;
      l.busy = false;
      remindLater(l, undefined);
      say(speech.decided(lane, actions, passageId));
    },
    async playNow(a, only) {
      const targets = [...lanes.values()].filter((l) => only === undefined || l.id === only);
      if (targets.length === 0) return { result: 'none', lanes: [] };
      if (muted) return { result: 'muted', lanes: [] };
      if (quiet()?.mode === 'tones') return { result: 'quiet', lanes: [] };
      if (!ready) await load();
      const made = await notices.ready({ ...a, at: ['00:00'] });
      if (!made.sound) return { result: 'problem', lanes: [], problem: made.problem ?? 'no sound' };
      const out: PlayNowResult['lanes'] = [];
      for (const l of targets) {
        if (l.busy || !l.player.idle) {
          out.push({ lane: l.id, result: 'busy' });
          continue;
        }
        const u: Utterance = { id: `preview|${a.id}|${ctx.clock.now()}`, lane: l.id, urgency: URGENCY.announcement, parts: [] };
        const r = l.player.say({ utterance: u, text: a.text.zh, sound: made.sound });
        out.push({ lane: l.id, result: r === 'playing' ? 'playing' : r === 'silent' ? 'silent' : 'busy' });
      }
      return { result: out.some((x) => x.result === 'playing') ? 'playing' : 'busy', lanes: out };
    },
    setMuted(on, actor) {
      muted = on ? { by: actor } : undefined;
      if (on) for (const l of lanes.values()) l.player.stop();
      log.info({ muted: on, by: actor }, on ? 'loudspeaker muted' : 'loudspeaker unmuted');
      return this.state();
    },
    state() {
      const q = quiet();
      let list: SourcedAnnouncement[] = [];
      try {
        list = o.announcements();
      } catch {}
      return {
        enabled: lanes.size > 0,
        muted: muted !== undefined,
        ...(muted ? { mutedBy: muted.by } : {}),
        quiet: q !== undefined,
        ...(q ? { quietMode: q.mode } : {}),
        ...(cfg.quietHours ? { quietHours: { from: cfg.quietHours.from, to: cfg.quietHours.to, mode: cfg.quietHours.mode, volume: cfg.quietHours.volume } } : {}),
        languages,
        lanes: [...lanes.values()].map((l) => ({ lane: l.id, driver: l.driver.name, volume: volumeOf(l)() ?? 0, ...(l.player.speaking ? { speaking: l.player.speaking.text } : {}) })),
        clipProblems: library.problems.length,
        announcements: list.map((a) => {
          const r = ready ? announcementSound(a) : {};
          return { id: a.id, ...(a.source ? { source: a.source } : {}), text: a.text.zh, ...(a.clip ? { clip: a.clip } : {}), ...(a.at ? { at: a.at } : {}), ...(a.every ? { every: a.every } : {}), ready: r.sound !== undefined, ...(r.problem ? { problem: r.problem } : {}) };
        }),
      };
    },
  };
}
