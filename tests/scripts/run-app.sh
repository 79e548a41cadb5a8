#!/usr/bin/env bash
# Runs the app the way a desktop session does: with a session D-Bus (single-instance and the
# keychain need one) and, on a machine without a display, inside Xvfb.
set -euo pipefail
app=$1; shift

run=("$app" "$@")
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  # No desktop session: start one, with a keyring so secrets have somewhere to go.
  run=(dbus-run-session -- "$(dirname "$0")/with-keyring.sh" "${run[@]}")
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run-app.sh: no display; running under Xvfb (nothing will be visible)" >&2
  run=(xvfb-run --auto-servernum --server-args="-screen 0 1400x900x24" "${run[@]}")
fi
exec "${run[@]}"
