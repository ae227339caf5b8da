// The real loudspeaker: aplay (alsa-utils) on a named ALSA device, fed raw samples on its stdin.
// One process per run of sound; spawned, never waited on synchronously; killed to cut a prompt.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Playback, PlayRequest, VoiceDriver } from './types.js';
import { durationMs, type Pcm } from './wav.js';

/** A player still running this long after its sound should have ended is stuck (a wedged card): killed. */
export const STUCK_AFTER_MS = 5000;

export interface AplayOptions {
  /** ALSA device (aplay -D). */
  device: string;
  /** The player program (default aplay). */
  command?: string;
  /** Environment of the player (tests point ALSA_CONFIG_PATH at a file-plugin configuration). */
  env?: NodeJS.ProcessEnv;
}

export function aplayArgs(device: string, p: Pick<Pcm, 'rate' | 'channels'>): string[] {
  return ['-q', '-D', device, '-t', 'raw', '-f', 'S16_LE', '-r', String(p.rate), '-c', String(p.channels), '-'];
}

function playRun(opts: AplayOptions, run: Pcm, onChild: (c: ChildProcess) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const command = opts.command ?? 'aplay';
    const child = spawn(command, aplayArgs(opts.device, run), { stdio: ['pipe', 'ignore', 'pipe'], env: opts.env ?? process.env });
    onChild(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 2000) stderr += d;
    });
    // aplay that died early (no such device) closes its stdin: the exit says why.
    child.stdin?.on('error', () => {});
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'ENOENT' ? `${command} not found: install alsa-utils (apt-get install alsa-utils)` : `${command} could not start: ${err.message}`));
    });
    const stuck = setTimeout(() => {
      stderr += `\nno end ${STUCK_AFTER_MS} ms after the sound; killed`;
      child.kill('SIGKILL');
    }, durationMs(run) + STUCK_AFTER_MS);
    stuck.unref?.();
    child.once('close', (code, signal) => {
      clearTimeout(stuck);
      if (signal === 'SIGKILL') reject(new Error(`${command} -D ${opts.device} did not end: ${stderr.trim().split('\n').at(-1)}`));
      else if (code === 0 || signal) resolve();
      else reject(new Error(`${command} -D ${opts.device} failed (exit ${code}): ${stderr.trim().split('\n').at(-1) ?? ''}; aplay -L lists the devices`));
    });
    child.stdin?.end(run.data);
  });
}

export function createAplayVoice(opts: AplayOptions): VoiceDriver {
  const playing = new Set<ChildProcess>();
  return {
    name: 'aplay',
    play(req: PlayRequest): Playback {
      let stopped = false;
      let current: ChildProcess | undefined;
      const done = (async () => {
        for (const run of req.sound) {
          if (stopped) return;
          await playRun(opts, run, (c) => {
            current = c;
            playing.add(c);
            c.once('close', () => playing.delete(c));
          });
        }
      })();
      return {
        done,
        stop() {
          stopped = true;
          current?.kill('SIGTERM');
        },
      };
    },
    async close() {
      for (const c of playing) c.kill('SIGTERM');
      playing.clear();
    },
  };
}
