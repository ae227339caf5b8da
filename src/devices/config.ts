// Device configuration per lane. Each device names a driver; 'mock' runs in-process without hardware.
import { Block, Section, type Static, Type } from '../config/typebox.js';

const DeviceId = Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_-]+$', description: 'Device id, unique in the gate' });
const SerialPath = Type.String({ minLength: 1, description: 'Serial port, best a /dev/serial/by-id/… path so it survives re-plugging' });

export const ThermometerSchema = Section({
  id: DeviceId,
  driver: Type.Union([Type.Literal('mock'), Type.Literal('serial-line'), Type.Literal('modbus')], { description: 'mock | serial-line (ASCII lines) | modbus (Modbus RTU over RS485)' }),
  path: Type.Optional(SerialPath),
  baudRate: Type.Integer({ default: 9600, minimum: 300, maximum: 921600, description: 'Serial speed' }),
  preset: Type.String({ default: 'auto', description: 'Line-protocol preset: auto | t-equals ("T=36.5") | temp-colon ("TEMP:36.50") | body ("Body 36.5 ℃ Amb 20.1") | celsius-suffix ("36.5C") | fahrenheit ("97.7F") (see docs/devices.md)' }),
  pattern: Type.Optional(Type.String({ description: 'Regular expression with one capture group for the number (overrides the preset)' })),
  unit: Type.Optional(Type.Union([Type.Literal('C'), Type.Literal('F')], { description: 'Unit of the number when the line does not say (default: the preset’s, else C)' })),
  scale: Type.Number({ default: 1, description: 'Multiply the captured number or register (e.g. 0.1 when the device sends 365 for 36.5)' }),
  framing: Type.Union([Type.Literal('CR'), Type.Literal('LF'), Type.Literal('CRLF'), Type.Literal('any')], { default: 'any', description: 'How a line ends: CR, LF, CRLF, or any of CR/LF' }),
  maxLineLength: Type.Integer({ default: 80, minimum: 8, maximum: 1024, description: 'Longer lines are garbage and dropped with a warning' }),
  slaveId: Type.Integer({ default: 1, minimum: 1, maximum: 247, description: 'Modbus slave id' }),
  register: Type.Integer({ default: 0, minimum: 0, maximum: 65535, description: 'Modbus register with the temperature (signed 16-bit)' }),
  registerType: Type.Union([Type.Literal('holding'), Type.Literal('input')], { default: 'holding', description: 'Modbus register table: holding (function 03) or input (function 04), as the sensor’s manual says' }),
  pollMs: Type.Integer({ default: 500, minimum: 50, maximum: 60000, description: 'Modbus poll period' }),
  timeoutMs: Type.Integer({ default: 1000, minimum: 50, maximum: 10000, description: 'Modbus response timeout; 3 missed answers in a row mark the thermometer faulty' }),
  plausibleMin: Type.Number({ default: 30, minimum: 0, maximum: 40, description: 'Readings below this (°C, after calibration) are a device warning, never a passage input' }),
  plausibleMax: Type.Number({ default: 45, minimum: 38, maximum: 60, description: 'Readings above this (°C, after calibration) are a device warning, never a passage input' }),
  offset: Type.Number({ default: 0, minimum: -3, maximum: 3, description: 'Calibration offset added to every reading (°C); the kiosk can change it (audited)' }),
  ambientCompensation: Type.Boolean({ default: false, description: 'Correct forehead readings for a cold ambient (winter nights): + coefficient × (reference − ambient), at most 1.5 °C' }),
  ambientCelsius: Type.Optional(Type.Number({ minimum: -40, maximum: 50, description: 'Ambient temperature to compensate for when the device does not report one' })),
  ambientReference: Type.Number({ default: 20, minimum: 0, maximum: 35, description: 'Ambient (°C) at or above which no compensation is applied' }),
  ambientCoefficient: Type.Number({ default: 0.05, minimum: 0, maximum: 0.2, description: '°C added per °C of ambient below the reference' }),
});

export const ScannerSchema = Section({
  id: DeviceId,
  driver: Type.Union([Type.Literal('mock'), Type.Literal('serial'), Type.Literal('hid')], { description: 'mock | serial (USB-CDC/UART) | hid (keyboard-wedge via /dev/input, grabbed)' }),
  path: Type.Optional(Type.String({ minLength: 1, description: 'Serial port or /dev/input/by-id/…-event-kbd device' })),
  baudRate: Type.Integer({ default: 9600, minimum: 300, maximum: 921600, description: 'Serial speed' }),
  suffix: Type.Union([Type.Literal('CR'), Type.Literal('LF'), Type.Literal('CRLF'), Type.Literal('timeout')], { default: 'CR', description: 'How a scan ends: CR, LF, CRLF, or a silence of interByteTimeoutMs' }),
  interByteTimeoutMs: Type.Integer({ default: 50, minimum: 5, maximum: 2000, description: 'With suffix "timeout": silence that ends a scan' }),
  maxLength: Type.Integer({ default: 1024, minimum: 8, maximum: 4096, description: 'Longer scans are refused (a household\'s declaration code is up to 700 characters)' }),
  dedupeWindowMs: Type.Integer({ default: 1500, minimum: 0, maximum: 60000, description: 'The same code re-read within this window counts once' }),
  direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')], { description: 'Direction of passages started by this scanner (default: the lane’s)' })),
  grabCommand: Type.String({ default: 'python3', description: 'hid: interpreter of the small helper that holds the exclusive grab (EVIOCGRAB) and relays events' }),
});

const GpioLine = Block({
  line: Type.Integer({ minimum: 0, maximum: 511, description: 'Line (BCM) number on the chip, not the sysfs number' }),
  activeLow: Type.Boolean({ default: false, description: 'The output is on when the pin is low (many relay boards)' }),
});
const GpioInput = Block({
  line: Type.Integer({ minimum: 0, maximum: 511, description: 'Line (BCM) number on the chip' }),
  activeLow: Type.Boolean({ default: false, description: 'Active when the pin is low (contacts to ground with a pull-up)' }),
  debounceMs: Type.Integer({ default: 30, minimum: 0, maximum: 1000, description: 'A change must hold this long to count' }),
});

export const GpioSchema = Block({
  driver: Type.Union([Type.Literal('mock'), Type.Literal('onoff'), Type.Literal('gpiod')], { description: 'mock | onoff (sysfs) | gpiod (libgpiod tools gpioset/gpiomon)' }),
  chipLabel: Type.String({ default: 'pinctrl-bcm2711', description: 'gpiochip label to find the line base (Pi 4: pinctrl-bcm2711, Pi 5: pinctrl-rp1)' }),
  sysfsRoot: Type.String({ default: '/sys/class/gpio', description: 'onoff: where sysfs GPIO lives' }),
  gpiodChip: Type.Optional(Type.String({ description: 'gpiod: chip name or path (default: the chip whose label is chipLabel)' })),
  relay: Type.Optional(GpioLine),
  lampGreen: Type.Optional(GpioLine),
  lampRed: Type.Optional(GpioLine),
  buzzer: Type.Optional(GpioLine),
  doorContact: Type.Optional(GpioInput),
  exitButton: Type.Optional(GpioInput),
  maskDetector: Type.Optional(GpioInput),
});

// Voice: the loudspeaker of a lane (a device, beside the buzzer) and the site's spoken-prompt
// settings (languages, clips, quiet hours). See docs/voice.md.
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
    repeatAfterSeconds: Type.Integer({ default: 10, minimum: 0, maximum: 300, description: 'A waiting prompt (请测体温 …) is said once more when the passage still waits in that stage after this long; 0 = never' }),
    announcementIdleSeconds: Type.Integer({ default: 20, minimum: 0, maximum: 3600, description: 'An announcement waits until the lane has had no passage and no prompt for this long' }),
  },
  { description: 'Spoken prompts at the gate (docs/voice.md)' },
);


export const LaneSchema = Section({
  id: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_-]+$', description: 'Lane id, e.g. "main"' }),
  name: Type.String({ default: '主通道', description: 'Name shown on the kiosk' }),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('both')], { default: 'both', description: 'Direction of the lane; on "both" the scanner or the volunteer chooses' }),
  thermometers: Type.Array(ThermometerSchema, { default: [] }),
  scanners: Type.Array(ScannerSchema, { default: [] }),
  gpio: Type.Optional(GpioSchema),
  voice: Type.Optional(VoiceDeviceSchema),
});

export type ThermometerConfig = Static<typeof ThermometerSchema>;
export type ScannerConfig = Static<typeof ScannerSchema>;
export type GpioConfig = Static<typeof GpioSchema>;
export type GpioLineConfig = Static<typeof GpioLine>;
export type GpioInputConfig = Static<typeof GpioInput>;
export type LaneConfig = Static<typeof LaneSchema>;
export type VoiceDeviceConfig = Static<typeof VoiceDeviceSchema>;
export type VoiceConfig = Static<typeof VoiceSchema>;
