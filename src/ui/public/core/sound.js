// Sounds from the kiosk's own speaker: short tones for verdicts, ignored inputs, a waiting passage and
// critical alerts. On by default (kiosk.beeps), quieter in the quiet hours (village time), except alarms.
// A voice (recorded or synthesised prompts) plugs in with setVoice(): it gets the same cue and the words.
import { S } from './state.js';

const TONES = {
  ok: [[880, 0.15]],
  refuse: [[220, 0.6]],
  attention: [[660, 0.12], [0, 0.08], [660, 0.12]],
  alarm: [[988, 0.25], [0, 0.1], [740, 0.25], [0, 0.1], [988, 0.25]],
};

let ctx = null;
let voice = null;

/** `speak(cue, text)` is called after the tone for every cue (issue 23's prompts hook in here). */
export function setVoice(speak) {
  voice = speak;
}

const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True inside kiosk.beeps.quietHours, by the village's clock. */
export function quietNow(now = new Date()) {
  const q = S.status?.beeps?.quietHours;
  if (!q) return false;
  const [from, to] = q.split('-').map(minutes);
  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(S.status?.timeZone ? { timeZone: S.status.timeZone } : {}) }).format(now);
  const m = minutes(parts);
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

/** Plays a cue: 'ok' | 'refuse' | 'attention' | 'alarm'. Tests read window.kioskSounds. */
export function cue(kind, text = '') {
  const b = S.status?.beeps;
  const volume = !b?.enabled ? 0 : kind !== 'alarm' && quietNow() ? b.quietVolume : b.volume;
  window.kioskSounds?.push({ kind, volume, text });
  if (volume > 0) {
    try {
      ctx ??= new AudioContext();
      let t = ctx.currentTime;
      for (const [freq, len] of TONES[kind] ?? TONES.attention) {
        if (freq) {
          const o = ctx.createOscillator();
          const g = ctx.createGain();
          o.frequency.value = freq;
          g.gain.value = volume * 0.4;
          o.connect(g).connect(ctx.destination);
          o.start(t);
          o.stop(t + len);
        }
        t += len;
      }
    } catch {}
  }
  try {
    voice?.(kind, text);
  } catch {}
}
