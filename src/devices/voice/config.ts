// Voice configuration: the loudspeaker of a lane (a device, beside the buzzer) and the site's
// spoken-prompt settings (languages, clips, quiet hours). See docs/voice.md.
import { Block, Section, type Static, Type } from '../../config/typebox.js';

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, site time' });

/** The loudspeaker of one lane. */
export const VoiceDeviceSchema = Block({
  driver: Type.Union([Type.Literal('mock'), Type.Literal('aplay')], { description: 'mock (records what it would say; simulation and tests) | aplay (ALSA, alsa-utils)' }),
  device: Type.String({ default: 'default', minLength: 1, description: 'ALSA device for aplay -D, e.g. default, plughw:CARD=Headphones or plughw:1,0 (aplay -L lists them)' }),
  volume: Type.Integer({ default: 80, minimum: 0, maximum: 100, description: 'Volume in percent of the clips as rendered or recorded' }),
});

export const VoiceSchema = Section(
  {
    languages: Type.Array(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]), {
      default: ['zh-CN'],
      minItems: 1,
      maxItems: 2,
      uniqueItems: true,
      description: 'Languages prompts are spoken in, in order: [zh-CN] or [zh-CN, en] (Mandarin, then English)',
    }),
    clipsDir: Type.String({ default: '', description: 'Rendered clips (<lang>/<clip>.wav); empty = dist/clips in the program folder, made by `gate voice clips` at build time' }),
    recordingsDir: Type.String({ default: './var/voice', description: 'The site’s own recordings (<lang>/<clip>.wav, 16-bit PCM WAV); each replaces the rendered clip of the same name' }),
    quietHours: Type.Optional(
      Block({
        from: HHMM,
        to: HHMM,
        mode: Type.Union([Type.Literal('lower'), Type.Literal('tones')], { default: 'lower', description: 'lower = speak at quietVolume; tones = no speech (the buzzer only)' }),
        volume: Type.Integer({ default: 30, minimum: 0, maximum: 100, description: 'Volume (percent) in quiet hours with mode lower' }),
      }),
    ),
    announcementIdleSeconds: Type.Integer({ default: 20, minimum: 0, maximum: 3600, description: 'An announcement waits until the lane has had no passage and no prompt for this long' }),
  },
  { description: 'Spoken prompts at the gate (docs/voice.md)' },
);

export type VoiceDeviceConfig = Static<typeof VoiceDeviceSchema>;
export type VoiceConfig = Static<typeof VoiceSchema>;
