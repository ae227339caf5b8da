#!/bin/sh
# Bytes the gate's ledger writes to storage in one busy day (default 10,000 passages), for
# SD-card wear (docs/field.md). Run it on the Pi itself to measure its card:
#   scripts/measure-writes.sh [passages] [directory on the card, default /var/tmp]
set -eu
cd "$(dirname "$0")/.."
if [ ! -f dist/bench/deploy.js ]; then
  npm run build >/dev/null || { echo "measure-writes: npm run build failed" >&2; exit 1; }
fi
exec node dist/bench/deploy.js "${1:-10000}" "${2:-/var/tmp}"
