#!/usr/bin/env bash
# Builds the installable Linux packages (deb and rpm) with ox-teams-cli inside, from a built
# UI (`make ui`), and prints where they are. Windows and macOS packages need those systems
# (README › Install).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
target=$(cd "$target" 2>/dev/null && pwd || { mkdir -p "$target" && cd "$target" && pwd; })

# The CLI first, in the same release profile; the app is built by the Tauri CLI below.
cargo build --locked --release -p ox-teams-cli
cli="$target/release/ox-teams-cli"

# The UI is built already, so the config's beforeBuildCommand is dropped (null removes a key
# in a JSON merge patch); the CLI goes to /usr/bin in both packages.
files=$(printf '{"/usr/bin/ox-teams-cli": "%s"}' "$cli")
config=$(printf '{"build": {"beforeBuildCommand": null}, "bundle": {"linux": {"deb": {"files": %s}, "rpm": {"files": %s}}}}' "$files" "$files")
cd "$root/src-tauri"
CARGO_TARGET_DIR="$target" "$root/ui/node_modules/.bin/tauri" build --bundles deb,rpm \
  --config "$config" -- --locked

echo "Packages:"
ls -1 "$target"/release/bundle/deb/*.deb "$target"/release/bundle/rpm/*.rpm
