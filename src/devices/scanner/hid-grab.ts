// Node has no ioctl(), so a tiny Python helper (stdlib only) opens the event device, takes the exclusive
// grab (EVIOCGRAB) and relays raw input_event bytes on stdout. While it runs, no keystroke of the scanner
// reaches the kiosk, a console or a shell (the BadBarcode attack). No grab, no scanner: a failed grab is an error.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export const EVIOCGRAB = 0x40044590;

export const GRAB_HELPER = `
import fcntl, os, select, sys
def say(m):
    sys.stderr.write(m + "\\n"); sys.stderr.flush()
try:
    fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
except OSError as e:
    say("OPEN_FAILED " + (e.strerror or str(e))); sys.exit(3)
try:
    fcntl.ioctl(fd, ${EVIOCGRAB}, 1)
except OSError as e:
    say("GRAB_FAILED " + (e.strerror or str(e))); sys.exit(4)
say("GRABBED")
while True:
    r, _, _ = select.select([fd, 0], [], [])
    if 0 in r and not os.read(0, 64):
        sys.exit(0)
    if fd in r:
        try:
            b = os.read(fd, 4096)
        except BlockingIOError:
            continue
        except OSError as e:
            say("READ_FAILED " + (e.strerror or str(e))); sys.exit(5)
        if not b:
            say("READ_FAILED end of file"); sys.exit(6)
        os.write(1, b)
`;

export type GrabProcess = ChildProcessByStdio<Writable, Readable, Readable>;

/** Resolves once the grab is held; rejects with the reason when the device cannot be opened or grabbed. */
export function startGrab(options: { path: string; command: string; onLost: (reason: string) => void }): Promise<GrabProcess> {
  return new Promise((resolve, reject) => {
    let child: GrabProcess;
    try {
      child = spawn(options.command, ['-c', GRAB_HELPER, options.path], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      reject(new Error(`Cannot start the HID grab helper "${options.command}": ${(err as Error).message}`));
      return;
    }
    let grabbed = false;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr += s;
      if (!grabbed && stderr.includes('GRABBED\n')) {
        grabbed = true;
        resolve(child);
      }
    });
    child.on('error', (err) => {
      if (!grabbed) reject(new Error(`Cannot start the HID grab helper "${options.command}" (is python3 installed?): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      const line = stderr.trim().split('\n').pop() ?? '';
      if (!grabbed) {
        if (line.startsWith('GRAB_FAILED')) reject(new Error(`Exclusive grab (EVIOCGRAB) of ${options.path} failed: ${line.slice(12)}. Is it an input event device, and not grabbed by another program?`));
        else if (line.startsWith('OPEN_FAILED')) reject(new Error(`Cannot open ${options.path}: ${line.slice(12)}. Add the daemon's user to group "input"`));
        else reject(new Error(`HID grab helper for ${options.path} ended (code ${code ?? signal}): ${line || 'no message'}`));
      } else options.onLost(line || `grab helper ended (code ${code ?? signal})`);
    });
  });
}
