#!/usr/bin/env bash
# `make demo`: starts the sandbox (a local Microsoft cloud with the small Contoso tenant),
# points a demo data folder at it (a custom cloud), and opens the app. Quitting the app (from
# its tray menu; closing the window keeps it in the tray) stops the sandbox.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")/../.." && pwd)

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

cat <<INFO

  Sandbox tenant   Contoso (contoso.onmicrosoft.com) at $url
  What people see  $url/_sandbox/
  Sign in as       megan.bowen@contoso.onmicrosoft.com (administrator) or any Contoso person
  Bot              Connectors › BOT IDENTITY PROVIDER: application and tenant are filled in;
                   client secret: $bot_secret — then CONNECT and consent as Megan
  Data folder      $data
  Sample issues    $("${cli[@]}" --json issues --limit 1 | sed -n 's/^  "total": \([0-9]*\),/\1/p') imported from tests/fixtures/sarif

INFO
OX_TEAMS_DATA_DIR="$data" "$here/tests/scripts/run-app.sh" "$bin/ox-teams"
