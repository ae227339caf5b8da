// A throwaway Debian root for the installer test, made with debootstrap from the mirror this
// machine's apt uses. The first run builds it (about 30 s on a good link) and caches it as a tar
// under /var/cache/checkpoint-gate-test, keyed by suite, mirror and packages; later runs unpack it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CACHE_DIR = process.env.GATE_TEST_CACHE ?? '/var/cache/checkpoint-gate-test';
/** systemd: `systemctl --root` and `systemd-analyze verify --root` work on the installed units. */
const INCLUDE = ['passwd', 'systemd'];

export interface Mirror {
  suite: string;
  url: string;
}

/** The Debian suite and mirror of this machine's apt (deb822 or one-line sources). */
export function hostMirror(): Mirror {
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const id = /^ID=(.*)$/m.exec(osRelease)?.[1]?.replace(/"/g, '');
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(osRelease)?.[1]?.replace(/"/g, '');
  const suite = id === 'debian' && codename ? codename : 'bookworm';
  const texts: string[] = [];
  if (existsSync('/etc/apt/sources.list')) texts.push(readFileSync('/etc/apt/sources.list', 'utf8'));
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d')) {
      if (f.endsWith('.sources') || f.endsWith('.list')) texts.push(readFileSync(join('/etc/apt/sources.list.d', f), 'utf8'));
    }
  }
  for (const t of texts) {
    for (const m of t.matchAll(/^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)) {
      const url = m[1];
      if (url && /\/debian\/?$/.test(url)) return { suite, url };
    }
  }
  return { suite, url: 'http://deb.debian.org/debian' };
}

export function need(tool: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`This test needs "${tool}" (Debian package ${pkg}); run: node scripts/test-deps.mjs`);
  }
}

/** Unpacks a fresh Debian root into a new temporary directory and returns its path. */
export function makeDebianRoot(log: (line: string) => void = () => {}): string {
  if (process.getuid?.() !== 0) throw new Error('The installer test needs root (debootstrap, chroot, useradd in the Debian root): run npm test as root, as CI does');
  need('debootstrap', 'debootstrap');
  need('tar', 'tar');
  const mirror = hostMirror();
  const key = createHash('sha256').update(JSON.stringify({ ...mirror, INCLUDE, v: 1 })).digest('hex').slice(0, 12);
  const tarball = join(CACHE_DIR, `debian-${mirror.suite}-minbase-${key}.tar`);
  const root = mkdtempSync(join(tmpdir(), 'gate-debian-root-'));
  if (!existsSync(tarball)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const build = mkdtempSync(join(tmpdir(), 'gate-debootstrap-'));
    const t0 = Date.now();
    const r = spawnSync('debootstrap', ['--variant=minbase', `--include=${INCLUDE.join(',')}`, mirror.suite, build, mirror.url], {
      encoding: 'utf8',
      timeout: 8 * 60_000,
    });
    if (r.status !== 0) {
      rmSync(build, { recursive: true, force: true });
      throw new Error(`debootstrap ${mirror.suite} from ${mirror.url} failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${(r.stderr || r.stdout).slice(-1500)}`);
    }
    log(`debootstrap ${mirror.suite} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    execFileSync('tar', ['-C', build, '-cf', `${tarball}.part`, '.'], { timeout: 300_000 });
    renameSync(`${tarball}.part`, tarball);
    rmSync(build, { recursive: true, force: true });
  }
  execFileSync('tar', ['-C', root, '-xf', tarball], { timeout: 300_000 });
  // mkdtemp makes the directory 0700: the root's / must be searchable by its service user.
  chmodSync(root, 0o755);
  // Name resolution for apt inside the root.
  if (existsSync('/etc/resolv.conf')) copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
  return root;
}

/** Removes a Debian root, unmounting anything left mounted below it first. */
export function removeDebianRoot(root: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === root || m.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m], { timeout: 10_000 });
  rmSync(root, { recursive: true, force: true });
}
