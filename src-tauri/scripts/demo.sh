#!/usr/bin/env bash
# `make demo`: starts the sandbox (a local Microsoft cloud with the small Contoso tenant),
# points a demo data folder at it (a custom cloud), and opens the app. Quitting the app (from
# its tray menu; closing the window keeps it in the tray) stops the sandbox.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")/../.." && pwd)

# Without a desktop session (a headless machine), the CLI below and the app share one private
# session with a keyring, so the secrets the CLI stores (the demo's GitHub token) are the app's.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  exec dbus-run-session -- "$here/tests/scripts/with-keyring.sh" "$0" "$@"
fi

mkdir -p "$data"
sandbox_log="$data/sandbox.log"
"$bin/ox-teams-sandbox" --port 0 --tenant small >"$sandbox_log" 2>&1 &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true' EXIT

url=
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on //p' "$sandbox_log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$sandbox" 2>/dev/null || { cat "$sandbox_log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "demo: the sandbox did not start" >&2; exit 1; }

cli=("$bin/ox-teams-cli" --data-dir "$data")
"${cli[@]}" config set authority-url "$url" >/dev/null
"${cli[@]}" config set graph-url "$url" >/dev/null
"${cli[@]}" config set bot-url "$url" >/dev/null
"${cli[@]}" config set cloud custom >/dev/null
"${cli[@]}" config set tenant contoso.onmicrosoft.com >/dev/null
# Any client id is a registered public client in the sandbox; this one is the demo's.
"${cli[@]}" config set client-id 0d3c5a8e-7b1f-4c9a-9e2d-5f6a7b8c9d0e >/dev/null

# The sandbox's bot ("OX Security Alerts"): its app id and tenant go on the bot card; its secret
# is printed below, to paste there (secrets only ever go to the keychain).
bot_app=$(sed -n 's/^bot app id \([^ ]*\) (secret: .*/\1/p' "$sandbox_log" | head -n 1)
bot_secret=$(sed -n 's/^bot app id [^ ]* (secret: \(.*\))$/\1/p' "$sandbox_log" | head -n 1)
tenant_id=$(sed -n 's/^tenant .*, id \([^)]*\)).*/\1/p' "$sandbox_log" | head -n 1)
"${cli[@]}" connect --method bot --app-id "$bot_app" --bot-tenant "$tenant_id" --save-only >/dev/null

# Sample issues: real scanners' SARIF files (CodeQL, Semgrep, ESLint, Trivy, Bandit, clang).
# Importing again changes nothing, so a second `make demo` keeps what the first one did.
"${cli[@]}" import "$here"/tests/fixtures/sarif/*.sarif >/dev/null

# Sources: a folder to drop reports into (imported by themselves once they stop changing), and
# the sandbox's GitHub stand-in with its demo token. The sandbox's address changes each run, so
# the GitHub source of an earlier run is replaced.
inbox="$data/inbox"
mkdir -p "$inbox"
"${cli[@]}" sources add folder "$inbox" >/dev/null 2>&1 || true  # watched already on a second run
for old in $("${cli[@]}" sources list | sed -n 's/^\([0-9a-f-]\{36\}\)  GitHub 127\.0\.0\.1 .*/\1/p'); do
  "${cli[@]}" sources remove "$old" >/dev/null 2>&1 || true
done
github_token=ghp_sandbox_demo_token
if printf '%s\n' "$github_token" |
  "${cli[@]}" sources add github --url "$url/github" --org contoso --token-stdin >/dev/null 2>&1; then
  github_source="contoso's alerts are read every 5 minutes (Sources)"
else
  # No keychain answered (the token goes nowhere else): it can be added in the app.
  github_source="Sources › Add GitHub…: address $url/github, organisation contoso, token $github_token"
fi

cat <<INFO

  Sandbox tenant   Contoso (contoso.onmicrosoft.com) at $url
  What people see  $url/_sandbox/
  Sign in as       megan.bowen@contoso.onmicrosoft.com (administrator) or any Contoso person
  Bot              Connectors › BOT IDENTITY PROVIDER: application and tenant are filled in;
                   client secret: $bot_secret — then CONNECT and consent as Megan
  Data folder      $data
  Sample issues    $("${cli[@]}" --json issues --limit 1 | sed -n 's/^  "total": \([0-9]*\),/\1/p') imported from tests/fixtures/sarif
  Watched folder   $inbox — copy a .sarif report here; it is imported by itself
  GitHub           $github_source;
                   dismiss, fix or add alerts at $url/_sandbox/github

INFO
OX_TEAMS_DATA_DIR="$data" "$here/tests/scripts/run-app.sh" "$bin/ox-teams"
