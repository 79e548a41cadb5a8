#!/usr/bin/env bash
# The app beside a bare Tauri 2 app (tests/bare-tauri), both built with the workspace's release
# profile and started the same way under Xvfb, each with its own data folder made by a first
# start: the time from launch to the first paint of what the window settles on, and the memory (PSS) of each process tree with
# the window open and idle. Prints `figure` lines for bench-table.mjs. Figures, not assertions.
#
# The first paint is read from screenshots of the X display taken back to back
# (first-paint.mjs): the first one that looks as the window does once settled. Both apps start
# inside dbus-run-session with a throwaway keyring, as the app needs a session bus; that
# start-up is part of both times.
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${BENCH_RUNS:-3}
# Seconds each app runs before its memory is read; the paint is looked for until then.
settle=${BENCH_SETTLE:-12}

cargo build --locked --release -p ox-teams -p ox-teams-bare-tauri
work=$(mktemp -d "${TMPDIR:-/tmp}/ox-teams-bench.XXXXXX")
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1

# The process and every process under it.
tree() {
  local pid=$1
  echo "$pid"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do tree "$child"; done
}

pss_kb() {
  local total=0 pss
  for pid in "$@"; do
    pss=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${pss:-0}))
  done
  echo "$total"
}

# run NAME BINARY HOME: prints "paint_seconds total_kb app_kb web_kb"
run() {
  local name=$1 binary=$2 home=$3
  local start
  start=$(date +%s.%N)
  DISPLAY=$display XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    XDG_CACHE_HOME="$home/cache" HOME="$home" \
    dbus-run-session -- "$root/tests/scripts/with-keyring.sh" "$binary" >"$home/log" 2>&1 &
  local session=$!
  local paint
  paint=$(node "$root/tests/scripts/first-paint.mjs" "$display" "$settle" "$start")
  local app=""
  for pid in $(tree "$session"); do
    [ "$(readlink /proc/"$pid"/exe 2>/dev/null)" = "$binary" ] && app=$pid
  done
  [ -n "$app" ] || { echo "bench-app: $name did not start; its log:" >&2; cat "$home/log" >&2; exit 1; }
  local pids
  pids=$(tree "$app")
  local total app_kb
  total=$(pss_kb $pids)
  app_kb=$(pss_kb "$app")
  kill "$session" 2>/dev/null || true
  pkill -P "$session" 2>/dev/null || true
  kill $pids 2>/dev/null || true
  wait "$session" 2>/dev/null || true
  # The accessibility bus the app's GTK started outlives it (reparented): end what uses the
  # run's folders too.
  pkill -f -- "$home" 2>/dev/null || true
  sleep 1
  echo "$paint $total $app_kb $((total - app_kb))"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A paint total app web
for name in bare app; do
  if [ "$name" = bare ]; then binary="$target/release/ox-teams-bare-tauri"; else binary="$target/release/ox-teams"; fi
  # Each app's data folder is made by a first start, not measured (a first start also builds
  # WebKit's and fontconfig's caches); the runs measured start it again, as a person does.
  home=$(mktemp -d "$work/$name.XXXXXX")
  mkdir -p "$home"/{data,config,cache}
  first=$(run "$name" "$binary" "$home")
  echo "  $name first start (new data folder): first paint ${first%% *} s"
  results=()
  for ((i = 1; i <= runs; i++)); do
    results+=("$(run "$name" "$binary" "$home")")
    echo "  $name run $i: first paint ${results[-1]%% *} s; PSS total, app process, WebKit processes (kB): ${results[-1]#* }"
  done
  paint[$name]=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | median)
  total[$name]=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | median)
  app[$name]=$(printf '%s\n' "${results[@]}" | awk '{print $3}' | median)
  web[$name]=$(printf '%s\n' "${results[@]}" | awk '{print $4}' | median)
done

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
echo "medians of $runs: bare Tauri paints at ${paint[bare]} s, $(mb "${total[bare]}") MB (app process $(mb "${app[bare]}"), WebKit $(mb "${web[bare]}")); \
OX Teams paints at ${paint[app]} s, $(mb "${total[app]}") MB (app process $(mb "${app[app]}"), WebKit $(mb "${web[app]}"))"
figure() {
  printf 'figure {"measure": "%s", "value": %s, "unit": "%s", "floor": %s, "floor_what": "%s", "target": {"kind": "ratio_at_most", "value": %s}}\n' "$@"
}
figure "Idle memory, PSS of the process tree, window open" "$(mb "${total[app]}")" MB "$(mb "${total[bare]}")" "a bare Tauri 2 app, same profile, same run" 1.25
figure "Cold start to first meaningful paint" "${paint[app]}" s "${paint[bare]}" "bare Tauri's first paint" 1.5
