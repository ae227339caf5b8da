#!/bin/bash
# Builds an offline install bundle: the built program with its production node_modules, native
# modules (better-sqlite3, serialport, unix-dgram) compiled for the target architecture.
#   npm run bundle                      # arm64 (Raspberry Pi OS 64-bit)
#   npm run bundle -- --arch host       # this machine's architecture
#   npm run bundle -- --out DIR --no-build
# Install it on a Pi without network: sudo scripts/install.sh --bundle checkpoint-gate-*.tar.gz
# (the installer is inside the bundle too: tar xzf the bundle, then run its scripts/install.sh).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARCH=arm64
OUT="$HERE/bundles"
BUILD=1

die() { echo "bundle.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="${2:?--arch needs arm64, amd64, armhf or host}"; shift 2 ;;
    --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done

host_arch() {
  if command -v dpkg >/dev/null 2>&1; then dpkg --print-architecture; return; fi
  case "$(uname -m)" in
    x86_64) echo amd64 ;; aarch64) echo arm64 ;; armv7l|armv6l) echo armhf ;; *) uname -m ;;
  esac
}
HOST="$(host_arch)"
[ "$ARCH" = host ] && ARCH="$HOST"

if [ "$ARCH" != "$HOST" ]; then
  # Native modules must be compiled by (or for) the target: better-sqlite3 and unix-dgram have no
  # prebuilt binaries in the npm tarballs and compile with node-gyp. Cross-compiling node-gyp
  # modules is fragile, so build on the target architecture instead.
  die "this machine is $HOST, the bundle is for $ARCH. Native modules must be built on $ARCH:
  - run 'npm run bundle -- --arch $ARCH' on a Raspberry Pi (64-bit OS) with network, or
  - in an $ARCH Debian root under qemu-user (apt install qemu-user-static binfmt-support debootstrap;
    debootstrap --arch=$ARCH trixie /srv/pi-root; copy the source there; chroot and run this script).
  See docs/deploy.md, 'Offline bundle'."
fi

cd "$HERE"
command -v node >/dev/null || die "Node.js is needed to build the bundle"
[ -f package-lock.json ] || die "package-lock.json is missing"
VERSION="$(node -p "require('./package.json').version")"
ABI="$(node -p 'process.versions.modules')"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"

if [ "$BUILD" -eq 1 ]; then
  echo "==> Building (tsc)"
  npm run build >/dev/null || die "npm run build failed; fix the type errors first"
fi
[ -f dist/packed/src/cli/main.js ] || die "dist/ is missing: run npm run build"
[ -d node_modules ] || die "node_modules is missing: run npm ci first"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
APPDIR="$STAGE/checkpoint-gate"
mkdir -p "$APPDIR"

echo "==> Copying the program"
# What package.json "files" lists, minus test output in dist/.
tar -cf - --exclude=./dist/test --exclude='*.tsbuildinfo' \
  bin dist config systemd docs scripts hardware-mocks src/ui/public package.json package-lock.json README.md 2>/dev/null \
  | tar -C "$APPDIR" -xf - || true
[ -f "$APPDIR/dist/packed/src/cli/main.js" ] || die "copying the program failed"

echo "==> Production node_modules for $ARCH (Node $NODE_MAJOR, ABI $ABI)"
# The installed tree already holds native modules built for this machine; copy it and drop the
# development packages, so the bundle needs no network and no compiler.
cp -a node_modules "$APPDIR/node_modules"
(cd "$APPDIR" && npm prune --omit=dev --offline --no-audit --no-fund >/dev/null) \
  || die "npm prune failed"
# Compiler intermediates and bundled C sources are not needed at run time (about 25 MB).
find "$APPDIR/node_modules" -path '*/build/Release/obj*' -prune -exec rm -rf {} + 2>/dev/null || true
find "$APPDIR/node_modules" -path '*/build/Release/.deps' -prune -exec rm -rf {} + 2>/dev/null || true
rm -rf "$APPDIR/node_modules/better-sqlite3/deps" "$APPDIR/node_modules/better-sqlite3/src"
# npm prune leaves the emptied scope folders of development packages (@biomejs/) behind.
find "$APPDIR/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
# The kiosk page and the print view load the CJK font in weights 400 and 700 only
# (src/ui/public/index.html, src/ui/print.ts): the other 16 weights are 58 MB of the SD card.
find "$APPDIR/node_modules/@fontsource/noto-sans-sc/files" -type f \
  ! -name '*-400-normal.woff*' ! -name '*-700-normal.woff*' -delete 2>/dev/null || true
(cd "$APPDIR" && node -e "
  const r = (m) => { require(m); };
  r('better-sqlite3'); new (require('better-sqlite3'))(':memory:').close();
  r('@serialport/bindings-cpp'); r('unix-dgram');
") || die "a native module does not load on this machine; run npm rebuild and try again"

ID="$(cd "$APPDIR" && find . -type f ! -path './node_modules/*' -print0 | sort -z | xargs -0 sha256sum \
  | cat - package-lock.json | sha256sum | cut -c1-16)"
cat > "$APPDIR/BUNDLE-INFO" <<EOF
name=checkpoint-gate
version=$VERSION
id=$ID
arch=$ARCH
node_major=$NODE_MAJOR
node_abi=$ABI
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF

mkdir -p "$OUT"
FILE="$OUT/checkpoint-gate-$VERSION-$ARCH-node$NODE_MAJOR.tar.gz"
tar -C "$STAGE" -czf "$FILE" checkpoint-gate
echo "==> $FILE ($(du -h "$FILE" | cut -f1))"
echo "Install offline: tar xzf $(basename "$FILE") && sudo checkpoint-gate/scripts/install.sh --bundle $(basename "$FILE")"
