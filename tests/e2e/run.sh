#!/usr/bin/env bash
# The end-to-end suite: the built app in a real window under Xvfb, with its own D-Bus session
# (single-instance and the Secret Service need one) and an unlocked GNOME Keyring, driven by
# WebdriverIO through tauri-driver. Screenshots land in $CARGO_TARGET_DIR/e2e-screenshots.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
exec xvfb-run --auto-servernum --server-args="-screen 0 1400x900x24" \
  dbus-run-session -- "$here/../scripts/with-keyring.sh" \
  npx --no-install wdio run ./wdio.conf.mjs "$@"
