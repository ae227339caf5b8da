#!/bin/sh
# Kiosk browser for the gate's touchscreen: waits for the daemon's page, turns screen blanking
# off, then runs Chromium full screen. Started by labwc autostart or the kiosk user unit.
set -u
URL="${GATE_KIOSK_URL:-http://127.0.0.1:8080/}"

# Screen blanking off: Wayland (labwc) output power and the X11 fallback.
if command -v wlr-randr >/dev/null 2>&1; then
  for out in $(wlr-randr 2>/dev/null | awk '/^[^ ]/ {print $1}'); do
    wlr-randr --output "$out" --on >/dev/null 2>&1 || true
  done
fi
if [ -n "${DISPLAY:-}" ] && command -v xset >/dev/null 2>&1; then
  xset s off -dpms s noblank >/dev/null 2>&1 || true
fi

# Wait up to 2 minutes for the daemon, so the volunteer never sees a browser error page.
i=0
while [ "$i" -lt 120 ]; do
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "$URL" && break
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O /dev/null -T 2 "$URL" && break
  else
    break
  fi
  i=$((i + 1))
  sleep 1
done

BROWSER=chromium
command -v chromium >/dev/null 2>&1 || BROWSER=chromium-browser
# labwc is a Wayland compositor: let Chromium draw natively there (X11 sessions are unaffected).
# --kiosk-printing: the visitor slip and card sheets print straight to the default printer (no dialog
# under a gloved finger); --lang: the browser's own words and widgets in Chinese, like the page.
exec "$BROWSER" --ozone-platform-hint=auto --kiosk --kiosk-printing --lang="${KIOSK_LANG:-zh-CN}" --noerrdialogs --disable-infobars --no-first-run \
  --disable-session-crashed-bubble --disable-features=Translate \
  --check-for-update-interval=31536000 --overscroll-history-navigation=0 \
  --password-store=basic "$URL"
