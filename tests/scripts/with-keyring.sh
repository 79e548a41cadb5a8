#!/usr/bin/env bash
# Runs a command with a private, unlocked GNOME Keyring providing the Secret Service on the
# current D-Bus session, so the app's real keychain code can run headless. Use it inside
# `dbus-run-session`; the keyring lives in a throwaway folder, removed when the command ends
# (its daemon ends with the session).
set -euo pipefail

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "with-keyring.sh: no D-Bus session; run me inside dbus-run-session" >&2
  exit 2
fi
command -v gnome-keyring-daemon >/dev/null || {
  echo "with-keyring.sh: gnome-keyring-daemon is missing (apt-get install gnome-keyring)" >&2
  exit 2
}

keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/ox-teams-keyring.XXXXXX")
# Unlocking with a password on stdin creates the login keyring without any prompt.
printf 'ox-teams-test' | HOME="$keyring_home" XDG_DATA_HOME="$keyring_home" \
  gnome-keyring-daemon --unlock --components=secrets >/dev/null

# Not `exec`, so that the folder can be removed once the command ends. The command keeps this
# shell's stdin (a command started in the background would get /dev/null) and is passed the
# signals that end this shell.
"$@" <&0 &
command_pid=$!
trap 'kill -TERM "$command_pid" 2>/dev/null || true' TERM INT HUP
status=0
wait "$command_pid" || status=$?
# A signal ends the first wait early: the command's own end comes before its keyring goes.
while kill -0 "$command_pid" 2>/dev/null; do
  status=0
  wait "$command_pid" || status=$?
done
rm -rf "$keyring_home"
exit "$status"
