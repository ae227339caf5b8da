#!/usr/bin/env node
// Installs the Debian packages the test suite uses, when missing (CI and fresh machines run as root).
// Tests never skip for a missing tool: this installs it, or fails saying what is missing.
import { execFileSync, spawnSync } from 'node:child_process';

const NEEDED = [
  // [command to look for, Debian package, what for]
  ['mosquitto', 'mosquitto', 'MQTT integration tests against a real broker'],
  ['mosquitto_passwd', 'mosquitto', 'broker password files'],
  ['socat', 'socat', 'pseudo-terminal device simulators'],
  ['chromium', 'chromium', 'kiosk browser tests'],
  ['ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'fonts-noto-cjk', 'the declaration page in Chromium (a phone has its own CJK font; Debian\'s Chromium has none)'],
  ['openssl', 'openssl', 'TLS certificates for broker tests'],
  ['shellcheck', 'shellcheck', 'linting the installer scripts'],
  ['systemd-analyze', 'systemd', 'verifying the systemd units'],
  ['debootstrap', 'debootstrap', 'installer test in a Debian root'],
  ['espeak-ng', 'espeak-ng', 'rendering the voice clips (npm run clips, part of the build)'],
  ['aplay', 'alsa-utils', 'the loudspeaker test playing through ALSA'],
  ['sox', 'sox', 'measuring the sound the loudspeaker test played'],
  ['aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu', 'cross-compiling the native modules of the arm64 bundle'],
  ['aarch64-linux-gnu-g++', 'g++-aarch64-linux-gnu', 'cross-compiling the native modules of the arm64 bundle'],
  ['qemu-aarch64-static', 'qemu-user-static', "running the arm64 bundle's own node in the bundle test"],
  ['file', 'file', 'checking that every native file of a bundle is for its architecture'],
  ['ccache', 'ccache', 'compiling SQLite once per architecture, not once per Node version (test/node/, bundles)'],
  ['pdftoppm', 'poppler-utils', 'the daily report\'s A4 print view: its PDF counted and turned into a PNG to look at'],
  ['pdfinfo', 'poppler-utils', 'the daily report\'s A4 print view: its PDF counted and turned into a PNG to look at'],
  ['ls /usr/lib/postgresql/*/bin/initdb', 'postgresql', 'the hub\'s storage tests against a real PostgreSQL server'],
];

// A command name is looked up on PATH; a line with a path is run as a test (PostgreSQL's server
// binaries live outside PATH, under /usr/lib/postgresql/<version>/bin).
const has = (cmd) => spawnSync('sh', ['-c', cmd.includes('/') ? cmd : `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = NEEDED.filter(([cmd]) => !has(cmd));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
console.log(`test-deps: installing Debian packages: ${pkgs.join(' ')}`);
if (process.getuid?.() !== 0) {
  console.error(`test-deps: these are missing and I am not root; install them with:\n  sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`);
  for (const [cmd, pkg, why] of missing) console.error(`  - ${cmd} (package ${pkg}): ${why}`);
  process.exit(1);
}
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
} catch (err) {
  console.error(`test-deps: apt-get failed (${err.message}); the tests need: ${pkgs.join(' ')}`);
  process.exit(1);
}
const still = NEEDED.filter(([cmd]) => !has(cmd));
if (still.length) {
  console.error(`test-deps: still missing after install: ${still.map(([c, p]) => `${c} (${p})`).join(', ')}`);
  process.exit(1);
}
