#!/bin/bash
# Installs, upgrades or removes the checkpoint gate on Raspberry Pi OS / Debian. Run as root.
# Idempotent: running it again with the same version changes nothing and says so.
# Layout: /opt/checkpoint-gate/releases/<version>-<id>, /opt/checkpoint-gate/current -> that
# release, /etc/checkpoint-gate (config.yaml, secrets.env), /var/lib/checkpoint-gate (data).
set -euo pipefail
# A known PATH: sudo or a CI job may carry directories the service user cannot search.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

APP=checkpoint-gate
SERVICE_USER=checkpoint
ROOT=/
BUNDLE=""
SOURCE=""
START=1
KIOSK=1
KIOSK_USER=""
ADMIN_PIN=""
PACKAGES=1
READY_TIMEOUT=90
ACTION=install
PURGE=0
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<'EOF'
Usage: install.sh [options]            (as root)
  --bundle FILE        install from an offline bundle made by `npm run bundle` (no network needed)
  --source DIR         install from a source tree (default: the tree holding this script);
                       builds it with npm (needs the network and build-essential)
  --root DIR           install into a Debian root at DIR (an SD-card image or chroot); implies --no-start
  --no-start           do not (re)start the service; the new version is checked with `gate check-config`
                       and the database is migrated by it, as the service user (also: SYSTEMD_OFFLINE=1)
  --no-kiosk           no kiosk browser (Chromium) and no autostart
  --kiosk-user USER    desktop user whose labwc session starts the kiosk (default: the user with uid 1000)
  --admin-pin PIN      admin PIN, 6-12 digits (default: keep the current one, or generate one)
  --no-packages        do not run apt-get (the Debian packages are installed already)
  --ready-timeout SEC  how long a new version has to become ready before it is rolled back (default 90)
  --admin-pin-only     with --admin-pin: only write the new PIN to the secrets file (no packages,
                       no program change); restart the service afterwards
  --uninstall          remove the program, units and udev rules; keeps data and configuration
  --purge              with --uninstall: also delete /var/lib/checkpoint-gate, /etc/checkpoint-gate and the user
  -h, --help           this text
Environment: SYSTEMD_OFFLINE=1  systemd is not running (image build): enable units, start nothing
             GATE_ALLOW_OVERLAY=1  install even though / is an overlay (containers; not a Pi's RAM overlay)
EOF
}

die() { echo "install.sh: $*" >&2; exit 1; }
did() { echo "  ✔ $*"; }
step() { echo "==> $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) BUNDLE="${2:?--bundle needs a file}"; shift 2 ;;
    --source) SOURCE="${2:?--source needs a directory}"; shift 2 ;;
    --root) ROOT="${2:?--root needs a directory}"; START=0; shift 2 ;;
    --no-start) START=0; shift ;;
    --no-kiosk) KIOSK=0; shift ;;
    --kiosk-user) KIOSK_USER="${2:?--kiosk-user needs a user name}"; shift 2 ;;
    --admin-pin) ADMIN_PIN="${2:?--admin-pin needs digits}"; shift 2 ;;
    --no-packages) PACKAGES=0; shift ;;
    --ready-timeout) READY_TIMEOUT="${2:?--ready-timeout needs seconds}"; shift 2 ;;
    --uninstall) ACTION=uninstall; shift ;;
    --admin-pin-only) ACTION=pin; shift ;;
    --purge) PURGE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run me as root: sudo $0 $*"
# SYSTEMD_OFFLINE=1: systemd is not running (chroot, image build); enable units offline, start nothing.
if [ "${SYSTEMD_OFFLINE:-0}" = 1 ]; then START=0; fi
[ -d "$ROOT" ] || die "--root $ROOT is not a directory"
ROOT="$(cd "$ROOT" && pwd)"
R="${ROOT%/}"                       # prefix for paths; empty for the live system
OPT=/opt/$APP
ETC=/etc/$APP
DATA=/var/lib/$APP
if [ -n "$ADMIN_PIN" ] && ! [[ "$ADMIN_PIN" =~ ^[0-9]{6,12}$ ]]; then
  die "--admin-pin must be 6 to 12 digits"
fi

# Runs a command inside the target system (chroot when --root is given).
# In a root, with a clean environment: nothing of the host's (NODE_OPTIONS, extra CA files) leaks in.
ROOT_ENV=(/usr/bin/env -i "PATH=$PATH" HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
in_root() { if [ -z "$R" ]; then "$@"; else chroot "$ROOT" "${ROOT_ENV[@]}" "$@"; fi; }
# The same, bounded by --ready-timeout: a release that hangs instead of failing is not ready either.
in_root_bounded() { if [ -z "$R" ]; then timeout "$READY_TIMEOUT" "$@"; else timeout "$READY_TIMEOUT" chroot "$ROOT" "${ROOT_ENV[@]}" "$@"; fi; }
has_in_root() { in_root sh -c "command -v $1" >/dev/null 2>&1; }
systemctl_root() {
  if [ -n "$R" ]; then systemctl --root="$ROOT" "$@"
  elif command -v systemctl >/dev/null 2>&1; then systemctl "$@"
  else echo "  ! systemctl not found; skipped: systemctl $*"; fi
}
systemd_running() { [ -z "$R" ] && [ "${SYSTEMD_OFFLINE:-0}" != 1 ] && [ -d /run/systemd/system ]; }

# A Debian root needs /proc for apt, dpkg and node; mount it for the run when it is missing.
MOUNTED_PROC=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { if [ -n "$MOUNTED_PROC" ]; then umount "$MOUNTED_PROC" 2>/dev/null || umount -l "$MOUNTED_PROC" || true; fi; }
trap cleanup EXIT
if [ -n "$R" ] && [ ! -e "$R/proc/self" ]; then
  mkdir -p "$R/proc"
  mount -t proc proc "$R/proc" || die "cannot mount /proc in $ROOT"
  MOUNTED_PROC="$R/proc"
fi

node_major_in_root() { in_root node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
# A bundle made by npm run bundle carries its Node.js (BUNDLE-INFO node=bundled, in node/bin/):
# the box then needs no nodejs package, and the release runs on that Node only.
BUNDLED_NODE=0
# The Node.js of a release (a path inside the root): the bundled one or the link to the system's.
release_node() { if [ -L "$R$1/node/bin/node" ] || [ -x "$R$1/node/bin/node" ]; then echo "$1/node/bin/node"; else echo node; fi; }

# ---------------------------------------------------------------------------------------------
uninstall() {
  step "Uninstalling $APP"
  if systemd_running; then
    systemctl stop "$APP.service" 2>/dev/null || true
  fi
  if [ -e "$R/etc/systemd/system/$APP.service" ]; then
    systemctl_root disable "$APP.service" >/dev/null 2>&1 || true
    rm -f "$R/etc/systemd/system/$APP.service"
    did "service stopped, disabled and removed"
  fi
  rm -f "$R/etc/systemd/user/$APP-kiosk.service"
  if [ -e "$R/etc/udev/rules.d/99-$APP.rules" ]; then
    rm -f "$R/etc/udev/rules.d/99-$APP.rules"
    did "udev rules removed"
  fi
  local f
  for f in "$R"/home/*/.config/labwc/autostart; do
    [ -f "$f" ] || continue
    if grep -q "$APP" "$f"; then
      sed -i "/$APP/d" "$f"
      did "kiosk autostart removed from ${f#"$R"}"
    fi
  done
  if [ -d "$R$OPT" ]; then
    rm -rf "$R$OPT"
    did "program removed from $OPT"
  fi
  rm -f "$R/usr/local/bin/gate"
  if systemd_running; then systemctl daemon-reload; fi
  if [ "$PURGE" -eq 1 ]; then
    rm -rf "$R$DATA" "$R$ETC"
    did "data ($DATA) and configuration ($ETC) deleted"
    if in_root getent passwd "$SERVICE_USER" >/dev/null; then
      in_root userdel "$SERVICE_USER" && did "user $SERVICE_USER removed"
    fi
  else
    echo "  Kept: $DATA (passages, roster, keys) and $ETC (configuration, secrets)."
    echo "  Delete them too with: $0 --uninstall --purge"
  fi
}

# ---------------------------------------------------------------------------------------------
install_packages() {
  # python3 runs the small helper that grabs a keyboard-mode (HID) scanner exclusively.
  # alsa-utils: aplay plays the spoken prompts; espeak-ng renders the voice clips (npm run build, from
  # source) and the texts of announcements from the hub (docs/voice.md).
  local pkgs=(ca-certificates gpiod fake-hwclock curl python3 alsa-utils espeak-ng)
  # A Node.js >= 20 already there (Debian 13's nodejs, or NodeSource's) is kept as it is; a bundle
  # brings its own.
  [ "$BUNDLED_NODE" -eq 1 ] || [ "$(node_major_in_root)" -ge 20 ] || pkgs+=(nodejs)
  # Building from source compiles better-sqlite3 (node-gyp: python3, make, g++).
  [ -z "$BUNDLE" ] && pkgs+=(npm build-essential)
  [ "$KIOSK" -eq 1 ] && pkgs+=(chromium)
  if ! has_in_root timedatectl || ! { [ -e "$R/lib/systemd/systemd-timesyncd" ] || [ -e "$R/usr/lib/systemd/systemd-timesyncd" ] || has_in_root chronyd; }; then
    pkgs+=(systemd-timesyncd)
  fi
  if [ "$PACKAGES" -eq 0 ]; then
    echo "  (--no-packages: expecting ${pkgs[*]})"
    return
  fi
  step "Installing Debian packages: ${pkgs[*]}"
  local missing=()
  local p
  for p in "${pkgs[@]}"; do
    # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not a shell variable
    in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    did "all packages already installed"
    return
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! in_root apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    in_root apt-get update -q || die "apt-get update failed: is the network up? Use an offline bundle: --bundle FILE"
    in_root apt-get install -y -q --no-install-recommends "${missing[@]}" || die "could not install: ${missing[*]}"
  fi
  did "installed ${missing[*]}"
}

check_node() {
  if [ "$BUNDLED_NODE" -eq 1 ]; then
    did "Node.js $(sed -n 's/^node_version=//p' <<<"$BUNDLE_INFO" | tail -n 1) comes with the bundle (the system's Node.js is not used)"
    return
  fi
  has_in_root node || die "Node.js is missing. Install the Debian package nodejs (Debian 13 / Raspberry Pi OS trixie ship Node 20)."
  local v major
  v="$(in_root node -p 'process.versions.node')"
  major="${v%%.*}"
  if [ "$major" -lt 20 ]; then
    die "Node.js $v is too old; the gate needs Node 20 or newer. Debian 12 (bookworm) ships 18: use Raspberry Pi OS / Debian 13 (trixie), or install Node 20 from https://nodejs.org/ and run me again with --no-packages."
  fi
  did "Node.js $v"
}

ensure_user() {
  step "Service user $SERVICE_USER"
  local g
  for g in dialout gpio input audio; do
    if ! in_root getent group "$g" >/dev/null; then
      in_root groupadd --system "$g"
      did "created group $g"
    fi
  done
  if ! in_root getent passwd "$SERVICE_USER" >/dev/null; then
    in_root useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin \
      --user-group --comment "Checkpoint gate daemon" "$SERVICE_USER"
    did "created user $SERVICE_USER"
  fi
  in_root usermod -a -G dialout,gpio,input,audio "$SERVICE_USER"
  did "$SERVICE_USER is in groups: $(in_root id -nG "$SERVICE_USER")"
}

# Checks the bundle against its checksum file when one lies beside it (npm run bundle writes
# <bundle>.sha256): a copy damaged on the USB stick is refused before anything changes, as is a
# bundle for another architecture (BUNDLE-INFO, read without unpacking the bundle).
BUNDLE_INFO=""
read_bundle() {
  [ -f "$BUNDLE" ] || die "bundle not found: $BUNDLE"
  if [ -f "$BUNDLE.sha256" ]; then
    local want have
    want="$(cut -d' ' -f1 < "$BUNDLE.sha256")"
    have="$(sha256sum < "$BUNDLE" | cut -d' ' -f1)"
    [ "$want" = "$have" ] || die "$BUNDLE does not match $BUNDLE.sha256 (damaged or incomplete copy?): copy it again"
    did "bundle checksum matches $(basename "$BUNDLE").sha256"
  fi
  BUNDLE_INFO="$(tar -xOf "$BUNDLE" --wildcards '*/BUNDLE-INFO' 2>/dev/null)" \
    || die "$BUNDLE has no BUNDLE-INFO: not a bundle made by npm run bundle"
  # The last member of a name wins, as when tar unpacks an archive with appended members.
  local want have
  want="$(sed -n 's/^arch=//p' <<<"$BUNDLE_INFO" | tail -n 1)"
  have="$(in_root dpkg --print-architecture)"
  [ "$want" = "$have" ] || die "the bundle is for $want but this machine is $have; build one with: npm run bundle -- --arch $have"
  [ "$(sed -n 's/^node=//p' <<<"$BUNDLE_INFO" | tail -n 1)" = bundled ] && BUNDLED_NODE=1
  return 0
}

# Refuses a bundle whose native modules do not fit the Node.js that will run them.
BUNDLE_ID=""
BUNDLE_VERSION=""
check_bundle() {
  local info="$BUNDLE_INFO" want abi_want abi_have
  want="$(sed -n 's/^arch=//p' <<<"$info" | tail -n 1)"
  abi_want="$(sed -n 's/^node_abi=//p' <<<"$info" | tail -n 1)"
  [ "$BUNDLED_NODE" -eq 1 ] && abi_have="$abi_want" || abi_have="$(in_root node -p 'process.versions.modules')"
  [ "$abi_want" = "$abi_have" ] || die "the bundle's native modules are for Node ABI $abi_want, this Node is ABI $abi_have ($(in_root node -v)); build the bundle with the same Node major version"
  BUNDLE_ID="$(sed -n 's/^id=//p' <<<"$info" | tail -n 1)"
  BUNDLE_VERSION="$(sed -n 's/^version=//p' <<<"$info" | tail -n 1)"
  { [ -n "$BUNDLE_ID" ] && [ -n "$BUNDLE_VERSION" ]; } || die "$BUNDLE: BUNDLE-INFO lacks id= or version="
  did "bundle $BUNDLE_VERSION-$BUNDLE_ID for $want, Node ABI $abi_want"
}

# Unpacks the bundle or builds the source tree into $R$OPT/.staging.
stage_release() {
  local stage="$R$OPT/.staging"
  rm -rf "$stage"
  mkdir -p "$stage"
  if [ -n "$BUNDLE" ]; then
    tar -xf "$BUNDLE" -C "$stage" --strip-components=1 || die "$BUNDLE is not a readable bundle (.tar.gz made by npm run bundle)"
    printf '%s\n' "$BUNDLE_ID" > "$stage/.release-id"
  else
    local src="${SOURCE:-$HERE}"
    [ -f "$src/package.json" ] || die "$src is not the checkpoint-gate source tree"
    tar -C "$src" --exclude=./node_modules --exclude=./.git --exclude=./var --exclude=./dist --exclude=./.cache --exclude=./node -cf - . | tar -C "$stage" -xf -
    step "Building from source in $OPT (npm ci, build, prune; native modules for $(in_root dpkg --print-architecture))"
    in_root sh -c "cd '$OPT/.staging' && npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund" \
      || die "the build failed (see above); an offline bundle avoids building on the Pi: --bundle FILE"
    (cd "$src" && find bin src config systemd scripts package.json package-lock.json -type f -print0 2>/dev/null \
      | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16) > "$stage/.release-id"
    # The unit and the gate command run node/bin/node of the release: here the system's.
    mkdir -p "$stage/node/bin"
    # shellcheck disable=SC2016 # expanded by the shell inside the root
    ln -sfn "$(in_root sh -c 'readlink -f "$(command -v node)"')" "$stage/node/bin/node"
  fi
  # The loudspeaker's clips (docs/voice.md): rendered by the build; a bundle made where espeak-ng was
  # missing has none, so render them here (espeak-ng is installed above). A gate without a
  # loudspeaker does not need them: a failure is reported, not fatal.
  if [ ! -f "$stage/dist/clips/manifest.json" ]; then
    step "Rendering the voice clips with espeak-ng"
    in_root "$(release_node "$OPT/.staging")" "$OPT/.staging/bin/gate.js" voice clips \
      || echo "  ! the voice clips could not be rendered; a lane with a loudspeaker will be silent (gate voice clips)"
  fi
}

write_config() {
  step "Configuration in $ETC"
  install -d -m 0750 -o root -g "$(in_root id -g "$SERVICE_USER")" "$R$ETC"
  if [ ! -f "$R$ETC/config.yaml" ]; then
    sed -e "s#^  keyDir: ./var/keys#  keyDir: $DATA/keys#" -e "s#^  path: ./var/gate.db#  path: $DATA/gate.db#" \
      "$R$OPT/current/config/default.yaml" > "$R$ETC/config.yaml"
    did "wrote $ETC/config.yaml (edit it for your devices; see docs/hardware.md)"
    NEW_CONFIG=1
  else
    did "kept $ETC/config.yaml"
  fi
  chown "root:$(in_root id -g "$SERVICE_USER")" "$R$ETC/config.yaml"
  chmod 0640 "$R$ETC/config.yaml"
  local secrets="$R$ETC/secrets.env" pin_note=""
  if [ -n "$ADMIN_PIN" ] || [ ! -f "$secrets" ] || ! grep -q '^GATE_ADMIN_PIN=' "$secrets"; then
    if [ -z "$ADMIN_PIN" ]; then
      ADMIN_PIN="$(od -An -N8 -tu8 /dev/urandom | tr -dc 0-9 | cut -c1-8)"
      pin_note="generated"
    else
      pin_note="set"
    fi
    touch "$secrets"
    chmod 0600 "$secrets"
    sed -i '/^GATE_ADMIN_PIN=/d' "$secrets"
    if ! grep -q '^#' "$secrets"; then
      echo "# Secrets for the checkpoint gate daemon (systemd EnvironmentFile). Also: GATE_MQTT_URL, GATE_MQTT_USERNAME, GATE_MQTT_PASSWORD" >> "$secrets"
    fi
    echo "GATE_ADMIN_PIN=$ADMIN_PIN" >> "$secrets"
    did "admin PIN $pin_note in $ETC/secrets.env: $ADMIN_PIN  (write it down; change it on the kiosk)"
  else
    did "kept the admin PIN in $ETC/secrets.env"
  fi
  chown root:root "$secrets"
  chmod 0600 "$secrets"
  install -d -m 0750 -o "$(in_root id -u "$SERVICE_USER")" -g "$(in_root id -g "$SERVICE_USER")" "$R$DATA" "$R$DATA/keys"
  chmod 0700 "$R$DATA/keys"
  did "data directory $DATA (owner $SERVICE_USER)"
}

install_units() {
  step "systemd units and udev rules"
  local cur="$R$OPT/current"
  install -m 0644 "$cur/systemd/$APP.service" "$R/etc/systemd/system/$APP.service"
  install -d "$R/etc/udev/rules.d" "$R/etc/systemd/user"
  install -m 0644 "$cur/systemd/udev/99-$APP.rules" "$R/etc/udev/rules.d/99-$APP.rules"
  install -m 0644 "$cur/systemd/kiosk/$APP-kiosk.service" "$R/etc/systemd/user/$APP-kiosk.service"
  ln -sfn "$OPT/current/bin/gate" "$R/usr/local/bin/gate"
  if systemd_running; then systemctl daemon-reload; fi
  systemctl_root enable "$APP.service" >/dev/null 2>&1 || systemctl_root enable "$APP.service"
  did "installed and enabled $APP.service; udev rules 99-$APP.rules; /usr/local/bin/gate"
  if [ -z "$R" ] && command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
    udevadm control --reload || true
    udevadm trigger --subsystem-match=tty --subsystem-match=input --subsystem-match=gpio || true
    did "udev rules reloaded"
  fi
}

setup_kiosk() {
  [ "$KIOSK" -eq 1 ] || { echo "  (--no-kiosk: no kiosk browser)"; return; }
  step "Kiosk browser autostart"
  local user="$KIOSK_USER" home
  [ -n "$user" ] || user="$(in_root getent passwd 1000 | cut -d: -f1 || true)"
  if [ -z "$user" ] || ! in_root getent passwd "$user" >/dev/null; then
    echo "  ! no desktop user found (uid 1000); give one with --kiosk-user USER. Kiosk not set up."
    return
  fi
  home="$(in_root getent passwd "$user" | cut -d: -f6)"
  local dir="$R$home/.config/labwc"
  install -d -o "$(in_root id -u "$user")" -g "$(in_root id -g "$user")" "$R$home/.config" "$dir"
  touch "$dir/autostart"
  if ! grep -q "$OPT/current/scripts/kiosk.sh" "$dir/autostart"; then
    echo "$OPT/current/scripts/kiosk.sh &  # $APP kiosk" >> "$dir/autostart"
  fi
  chown "$(in_root id -u "$user"):$(in_root id -g "$user")" "$dir/autostart"
  did "labwc autostart for $user: $home/.config/labwc/autostart"
  if has_in_root raspi-config; then
    in_root raspi-config nonint do_blanking 1 >/dev/null 2>&1 && did "screen blanking off (raspi-config)"
  fi
}

# Readiness of the release that `current` points to. With a running systemd the unit is
# Type=notify, so `systemctl restart` returns once READY=1 came (or fails); it must then stay up.
release_ready() {
  if [ "$START" -eq 1 ] && systemd_running; then
    timeout "$READY_TIMEOUT" systemctl restart "$APP.service" || return 1
    sleep 5
    systemctl is-active --quiet "$APP.service"
  else
    release_ready_offline
  fi
}

# Without a running service: the configuration loads and the ledger opens and migrates.
release_ready_offline() {
  in_root_bounded runuser -u "$SERVICE_USER" -- \
    "$(release_node "$OPT/current")" "$OPT/current/bin/gate.js" check-config "$ETC/config.yaml" >/dev/null || return 1
  migrate_data
}

# Without a running daemon, the new version migrates the ledger itself (what its start would do),
# as the service user, so a version that cannot open the data is rolled back here too.
migrate_data() {
  local v
  # shellcheck disable=SC2016 # the JavaScript is single-quoted on purpose
  v="$(in_root_bounded runuser -u "$SERVICE_USER" -- "$(release_node "$OPT/current")" --input-type=module -e '
    const dir = process.argv[1];
    const { loadConfig } = await import(`${dir}/dist/packed/src/config/load.js`);
    const { openDatabase } = await import(`${dir}/dist/packed/src/store/db.js`);
    const c = loadConfig(process.argv[2], {});
    const db = openDatabase(c.storage.path);
    console.log(db.pragma("user_version", { simple: true }));
    db.close();' "$OPT/current" "$ETC/config.yaml")" || return 1
  did "ledger $DATA at schema version $v"
}

snapshot_data() {
  local tag="$1" db="$R$DATA/gate.db"
  [ -f "$db" ] || return 0
  install -d -m 0750 -o "$(in_root id -u "$SERVICE_USER")" -g "$(in_root id -g "$SERVICE_USER")" "$R$DATA/backup"
  rm -f "$R$DATA/backup/gate.db.$tag"*
  local f
  for f in "$db" "$db-wal" "$db-shm"; do
    [ -f "$f" ] && cp -p "$f" "$R$DATA/backup/$(basename "$f" | sed "s/^gate.db/gate.db.$tag/")"
  done
  did "database copied to $DATA/backup/gate.db.$tag before the upgrade"
}

restore_data() {
  local tag="$1" db="$R$DATA/gate.db" failed="$2"
  [ -f "$R$DATA/backup/gate.db.$tag" ] || return 0
  local f
  for f in "$db" "$db-wal" "$db-shm"; do
    [ -f "$f" ] && mv "$f" "$R$DATA/backup/$(basename "$f" | sed "s/^gate.db/gate.db.failed-$failed/")"
  done
  for f in "$R$DATA/backup/gate.db.$tag" "$R$DATA/backup/gate.db.$tag-wal" "$R$DATA/backup/gate.db.$tag-shm"; do
    [ -f "$f" ] && cp -p "$f" "$R$DATA/$(basename "$f" | sed "s/^gate.db.$tag/gate.db/")"
  done
  did "database restored from before the upgrade (the failed version's copy: $DATA/backup/gate.db.failed-$failed)"
}

switch_current() {
  ln -sfn "releases/$1" "$R$OPT/current.new"
  mv -T "$R$OPT/current.new" "$R$OPT/current"
}

install_app() {
  step "Program in $OPT"
  install -d -m 0755 "$R$OPT/releases"
  local stage="$R$OPT/.staging" id version name prev=""
  [ -L "$R$OPT/current" ] && prev="$(basename "$(readlink "$R$OPT/current")")"
  if [ -n "$BUNDLE" ]; then
    check_bundle
    if [ "$prev" = "$BUNDLE_VERSION-$BUNDLE_ID" ] && [ -d "$R$OPT/releases/$prev" ]; then
      did "version $prev is installed already; nothing to change"
      UPGRADED=0
      return
    fi
  fi
  stage_release
  id="$(cat "$stage/.release-id")"
  version="$(in_root "$(release_node "$OPT/.staging")" -p "require('$OPT/.staging/package.json').version")"
  name="$version-$id"
  if [ "$prev" = "$name" ] && [ -d "$R$OPT/releases/$name" ]; then
    rm -rf "$stage"
    did "version $name is installed already; nothing to change"
    UPGRADED=0
    return
  fi
  rm -rf "$R$OPT/releases/$name"
  mv "$stage" "$R$OPT/releases/$name"
  chown -R root:root "$R$OPT/releases/$name"
  if [ -z "$prev" ]; then
    switch_current "$name"
    did "installed version $name"
    UPGRADED=0
    return
  fi
  # Upgrade: stop the old version, keep a copy of the data, switch, and roll back when the new
  # version does not become ready. The ledger migrates the database when the new version starts.
  step "Upgrading $prev -> $name"
  if systemd_running; then systemctl stop "$APP.service" || true; fi
  snapshot_data "$prev"
  ln -sfn "releases/$prev" "$R$OPT/previous"
  switch_current "$name"
  UPGRADED=1
  NEW_RELEASE="$name"
  PREV_RELEASE="$prev"
}

verify_or_roll_back() {
  [ "${UPGRADED:-0}" -eq 1 ] || return 0
  step "Checking that $NEW_RELEASE becomes ready (up to ${READY_TIMEOUT}s)"
  if release_ready; then
    did "version $NEW_RELEASE is ready; $PREV_RELEASE kept in $OPT/releases for a rollback"
    prune_releases
    return 0
  fi
  echo "  ✘ version $NEW_RELEASE did not become ready: rolling back to $PREV_RELEASE" >&2
  if systemd_running; then systemctl stop "$APP.service" || true; fi
  switch_current "$PREV_RELEASE"
  install_units >/dev/null
  restore_data "$PREV_RELEASE" "$NEW_RELEASE"
  mv "$R$OPT/releases/$NEW_RELEASE" "$R$OPT/releases/$NEW_RELEASE.failed"
  rm -f "$R$OPT/previous"
  if [ "$START" -eq 1 ] && systemd_running; then systemctl start "$APP.service" || true; fi
  die "upgrade failed; $PREV_RELEASE is running again. Logs of the failed start: journalctl -u $APP -n 100"
}

# Keeps current, previous and nothing older.
prune_releases() {
  local cur prev d
  cur="$(basename "$(readlink "$R$OPT/current")")"
  prev="$(basename "$(readlink "$R$OPT/previous" 2>/dev/null || echo none)")"
  for d in "$R$OPT"/releases/*; do
    [ -d "$d" ] || continue
    case "$(basename "$d")" in "$cur"|"$prev") ;; *) rm -rf "$d"; did "removed old release $(basename "$d")" ;; esac
  done
}

start_service() {
  if [ "$START" -eq 1 ] && systemd_running && [ "${NEW_CONFIG:-0}" -eq 0 ]; then
    if [ "${UPGRADED:-0}" -eq 0 ]; then
      systemctl restart "$APP.service" || die "the service did not start: journalctl -u $APP -n 100"
    fi
    did "service $APP is $(systemctl is-active "$APP.service")"
    return 0
  fi
  if [ "${UPGRADED:-0}" -eq 0 ]; then
    release_ready_offline || die "the installed version does not start: gate check-config $ETC/config.yaml says what is wrong"
    did "the installed version loads its configuration"
  fi
  if [ "${NEW_CONFIG:-0}" -eq 1 ]; then
    # A fresh configuration has no lanes yet: started now, the daemon would refuse and restart in a loop.
    echo "  Next: describe your lanes and devices in $ETC/config.yaml (examples: $OPT/current/config/examples/),"
    echo "        check it with: gate check-config $ETC/config.yaml"
    echo "        then start:    sudo systemctl start $APP   (it also starts at every boot)"
  else
    echo "  (service not started: it starts at the next boot, or: systemctl start $APP)"
  fi
}

# ---------------------------------------------------------------------------------------------
# A RAM overlay root (raspi-config's overlay file system) forgets every change at the next boot.
if [ -z "$R" ] && [ "$(findmnt -n -o FSTYPE / 2>/dev/null || true)" = overlay ] && [ "${GATE_ALLOW_OVERLAY:-0}" != 1 ]; then
  die "/ is a RAM overlay (read-only root): what I change would be gone after the next reboot. Turn it off first: sudo raspi-config nonint do_overlayfs 1, reboot, then run me again (docs/field.md)"
fi
# Everything runs from main, which bash has read completely before it starts: replacing or deleting
# this file while it runs (an upgrade, --uninstall) cannot change what it does.
main() {
  if [ "$ACTION" = uninstall ]; then
    uninstall
    return 0
  fi
  if [ "$ACTION" = pin ]; then
    [ -n "$ADMIN_PIN" ] || die "--admin-pin-only needs --admin-pin PIN"
    [ -L "$R$OPT/current" ] || die "$APP is not installed here; install it first"
    write_config
    echo "Restart to use it: sudo systemctl restart $APP"
    return 0
  fi
  echo "Installing $APP into ${ROOT}"
  [ -n "$BUNDLE" ] && read_bundle
  install_packages
  check_node
  ensure_user
  install_app
  write_config
  install_units
  setup_kiosk
  verify_or_roll_back
  start_service
  echo "Done. Configuration: $ETC/config.yaml; check it with: gate check-config $ETC/config.yaml"
  echo "Kiosk: http://127.0.0.1:8080/ on the touchscreen. Logs: journalctl -u $APP -f"
}
main; exit $?
