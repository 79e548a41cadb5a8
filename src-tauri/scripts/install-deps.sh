#!/usr/bin/env bash
# Installs what building, running and testing OX Teams Connector needs and is missing:
# Debian packages (WebKitGTK and friends, Xvfb, D-Bus, GNOME Keyring), tauri-driver, cargo-deny,
# and checks Node.js. Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  # Building the Tauri app
  build-essential pkg-config file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev
  # Running it headless and testing it end to end
  xvfb xauth webkit2gtk-driver dbus-daemon
  # The OS keychain (Secret Service) the app keeps its secrets in
  gnome-keyring
  # Checking the packages (make test-packages)
  rpm desktop-file-utils
  # Screenshots that time the first paint (make bench)
  x11-apps
)
tauri_driver_version=2.1.0
# The dependency policy check (make deny, deny.toml); built from crates.io with the C compiler above.
cargo_deny_version=0.20.2
node_minimum=20.19

say() { printf 'install-deps: %s\n' "$*"; }

if command -v dpkg-query >/dev/null; then
  missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  say "not a Debian-based system: install the equivalents of ${packages[*]} yourself"
fi

if ! tauri-driver --version 2>/dev/null | grep -q "$tauri_driver_version"; then
  say "installing tauri-driver $tauri_driver_version"
  cargo install tauri-driver --locked --version "$tauri_driver_version" --quiet
fi

if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $cargo_deny_version"; then
  say "installing cargo-deny $cargo_deny_version (a few minutes)"
  cargo install cargo-deny --locked --version "$cargo_deny_version" --quiet
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "Node.js $node_minimum or newer (with npm) is required: https://nodejs.org"
  exit 1
fi
node_version=$(node -p 'process.versions.node')
if ! node -e "const [a,b]=process.versions.node.split('.').map(Number);const [x,y]='$node_minimum'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)"; then
  say "Node.js $node_version is too old; $node_minimum or newer is required"
  exit 1
fi
