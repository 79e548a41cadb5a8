#!/usr/bin/env bash
# Proves the Linux packages without installing anything system-wide: reads the .deb's and the
# .rpm's metadata and file lists, validates the desktop entry, then extracts the .deb into a
# temporary root and runs what a person would run from it — `ox-teams-cli --version` and
# `status`, and the app itself in a real window under Xvfb with a fresh data folder (driven
# through tauri-driver, tests/e2e/packaged). Run by `make test-packages` after `make bundle`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
target=$(cd "$target" && pwd)
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$root/Cargo.toml")
deb=$(ls -1t "$target"/release/bundle/deb/*_"$version"_*.deb | head -1)
rpm=$(ls -1t "$target"/release/bundle/rpm/*-"$version"-*.rpm | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0

check() { # check DESCRIPTION COMMAND... : runs the command, counts a pass or a failure
  local description=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok: $description"
  else
    failures=$((failures + 1))
    echo "FAILED: $description"
    sed 's/^/    /' "$work/out" | tail -20
  fi
}
has_line() { grep -qE -- "$1" "$2"; }

echo "Checking $(basename "$deb") ($(du -h "$deb" | cut -f1)) and $(basename "$rpm") ($(du -h "$rpm" | cut -f1))"

dpkg-deb --info "$deb" >"$work/deb-info"
# "perms owner size date time path": the path may hold spaces.
dpkg-deb --contents "$deb" | sed -E 's/^([^ ]+ +){5}//; s|^\./|/|; s|^([^/])|/\1|' >"$work/deb-files"
rpm -qp --queryformat '%{NAME} %{VERSION}\n' "$rpm" >"$work/rpm-info" 2>/dev/null
rpm -qpl "$rpm" >"$work/rpm-files" 2>/dev/null
rpm -qpR "$rpm" >"$work/rpm-requires" 2>/dev/null

check "the .deb is version $version" has_line "^ Version: $version$" "$work/deb-info"
check "the .deb needs the WebKitGTK 4.1 runtime" has_line "^ Depends: .*libwebkit2gtk-4\.1-0" "$work/deb-info"
check "the .deb needs a Secret Service provider" \
  has_line "^ Depends: .*gnome-keyring \| kwalletmanager \| keepassxc" "$work/deb-info"
check "the .rpm is version $version" has_line " $version$" "$work/rpm-info"
check "the .rpm needs the WebKitGTK 4.1 runtime" has_line "^libwebkit2gtk-4\.1\.so" "$work/rpm-requires"
check "the .rpm needs a Secret Service provider" \
  has_line "gnome-keyring or kwalletmanager5 or keepassxc" "$work/rpm-requires"
for list in deb-files rpm-files; do
  for file in /usr/bin/ox-teams /usr/bin/ox-teams-cli "/usr/share/applications/OX Teams Connector.desktop"; do
    check "$list: $file" grep -qxF -- "$file" "$work/$list"
  done
  for size in 16x16 32x32 48x48 64x64 128x128 256x256 512x512; do
    check "$list: a ${size} icon" grep -qxF -- "/usr/share/icons/hicolor/$size/apps/ox-teams.png" "$work/$list"
  done
done

# Extract as dpkg would install it, but into a folder.
dpkg-deb -x "$deb" "$work/root"
desktop="$work/root/usr/share/applications/OX Teams Connector.desktop"
check "desktop-file-validate accepts the desktop entry" desktop-file-validate "$desktop"
check "the desktop entry opens ox-teams:// links" has_line "^MimeType=.*x-scheme-handler/ox-teams;" "$desktop"
check "the desktop entry hands the link to the app" has_line "^Exec=ox-teams %u$" "$desktop"

export XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config" XDG_CACHE_HOME="$work/home/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
unset OX_TEAMS_DATA_DIR
"$work/root/usr/bin/ox-teams-cli" --version >"$work/cli-version" 2>&1 || true
check "ox-teams-cli --version says $version" has_line "^ox-teams-cli $version$" "$work/cli-version"
check "ox-teams-cli status runs from the package with a fresh data folder" \
  dbus-run-session -- "$work/root/usr/bin/ox-teams-cli" status
check "… and creates the data folder under \$XDG_DATA_HOME" \
  test -f "$XDG_DATA_HOME/com.oxteams.connector/ox-teams.sqlite3"

# The app itself, in a window, through tauri-driver (the sandbox comes from the debug build).
export OX_TEAMS_APP="$work/root/usr/bin/ox-teams" OX_TEAMS_EXPECT_VERSION="$version" \
  OX_TEAMS_SCREENSHOTS="$target/package-screenshots"
if "$root/tests/e2e/run.sh" --spec ./packaged/packaged-app.e2e.mjs >"$work/e2e" 2>&1; then
  passed=$((passed + 1))
  echo "ok: the packaged app opens its window, says $version and uses the fresh data folder"
else
  failures=$((failures + 1))
  echo "FAILED: the packaged app in a window"
  tail -40 "$work/e2e" | sed 's/^/    /'
fi

echo "packages: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
