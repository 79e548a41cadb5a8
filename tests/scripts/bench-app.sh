#!/usr/bin/env bash
# The app's start and memory beside four floors, each the bare Tauri 2 app (tests/bare-tauri)
# showing one page:
#   bare   static HTML (tests/bare-tauri/dist/index.html);
#   react  the UI's floor, React and Fluent UI's provider with one button (ui/bench/floor.html);
#   page   the app's own first page as it settles, saved as static HTML with its CSS and no
#          script (snapshot-page.mjs): what painting that page costs without any JavaScript;
#   drawn  that page drawn by React and Fluent UI's provider, without the app's code
#          (ui/bench/floor-page.html): what any React app showing this page costs at least.
# All are built with the workspace's release profile and started the same way under Xvfb, each
# with its own data folder made by a first start, and painting as the app does here (with or
# without compositing; with `stock`, bare Tauri as it comes, when that differs). Printed for each: the time from launch to the
# first paint of what the window settles on, and the memory (PSS) of its process tree with the
# window open and idle; then `figure` lines for bench-table.mjs. Figures, not assertions.
#
# The first paint is read from the screen Xvfb keeps in a file, every few milliseconds
# (first-paint.mjs): the first frame that looks as the window does once settled. The kinds take
# turns, one run each a round. Every app starts inside dbus-run-session with a throwaway
# keyring, as the app needs a session bus; that start-up is part of every time.
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${BENCH_RUNS:-3}
# Seconds each app runs before its memory is read; the paint is looked for until then.
settle=${BENCH_SETTLE:-12}

bare_dist=$root/tests/bare-tauri/dist
node "$root/tests/scripts/build-ui-floor.mjs" "$bare_dist"
cargo build --locked --release -p ox-teams
work=$(mktemp -d "${TMPDIR:-/tmp}/ox-teams-bench.XXXXXX")
display=":$((90 + RANDOM % 9))"
# -fbdir: Xvfb keeps the screen in a file there, which first-paint.mjs reads without asking the
# server for screenshots.
mkdir "$work/screen"
framebuffer=$work/screen/Xvfb_screen0
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp -fbdir "$work/screen" >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1

# The app's first page, from a start with a new data folder as the runs below make; the bare
# app embeds its pages, so it is built once they are all in dist/.
snapshot_home=$work/snapshot
mkdir -p "$snapshot_home"/{data,config,cache}
DISPLAY=$display XDG_DATA_HOME="$snapshot_home/data" XDG_CONFIG_HOME="$snapshot_home/config" \
  XDG_CACHE_HOME="$snapshot_home/cache" HOME="$snapshot_home" \
  dbus-run-session -- "$root/tests/scripts/with-keyring.sh" \
  node "$root/tests/scripts/snapshot-page.mjs" "$target/release/ox-teams" "$bare_dist/page.html"
pkill -f -- "$snapshot_home" 2>/dev/null || true
cargo build --locked --release -p ox-teams-bare-tauri

# The process and every process under it.
tree() {
  local pid=$1
  echo "$pid"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do tree "$child"; done
}

# running "PID...": whether any of them is still running (a zombie has ended).
running() {
  local pid state
  for pid in $1; do
    # The state follows the name in brackets, which may hold spaces.
    state=$(sed 's/^.*) //; s/ .*//' /proc/"$pid"/stat 2>/dev/null || true)
    [ -n "$state" ] && [ "$state" != Z ] && return 0
  done
  return 1
}

pss_kb() {
  local total=0 pss
  for pid in "$@"; do
    pss=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${pss:-0}))
  done
  echo "$total"
}

# run NAME HOME BINARY [ARG]: starts BINARY with the variables in paint_env (none for stock); prints "paint_seconds total_kb app_kb web_kb"
run() {
  local name=$1 home=$2 binary=$3
  shift 3
  # stock is bare Tauri as it comes: none of the variables that make the others paint as the app does.
  local -a paint_vars=("${paint_env[@]}")
  [ "$name" = stock ] && paint_vars=()
  local start
  start=$(date +%s.%N)
  env "${paint_vars[@]}" DISPLAY=$display XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    XDG_CACHE_HOME="$home/cache" HOME="$home" \
    dbus-run-session -- "$root/tests/scripts/with-keyring.sh" "$binary" "$@" >"$home/log" 2>&1 &
  local session=$!
  local paint
  paint=$(node "$root/tests/scripts/first-paint.mjs" "$framebuffer" "$settle" "$start")
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
  # Its children first (the session's dbus-daemon among them): once dbus-run-session is gone
  # they belong to init and pkill -P no longer finds them.
  pkill -P "$session" 2>/dev/null || true
  kill "$session" 2>/dev/null || true
  kill $pids 2>/dev/null || true
  wait "$session" 2>/dev/null || true
  # The accessibility bus the app's GTK started outlives it (reparented): end what uses the
  # run's folders too.
  pkill -f -- "$home" 2>/dev/null || true
  # The next run starts once every process of this one has gone (a web process that paints with
  # OpenGL takes a while to end): what is still exiting would take CPU from the next kind.
  local waited
  for ((waited = 0; waited < 100; waited++)); do
    running "$pids" || break
    sleep 0.1
  done
  sleep 1
  echo "$paint $total $app_kb $((total - app_kb))"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A paint total app web home measured
# The app first: where no GPU renders OpenGL it paints without compositing (src-tauri/src/webkit.rs),
# and the floors then paint the same way, so that each ratio compares like with like. `stock`
# is bare Tauri as it comes, compositing whatever the machine: measured only when that differs.
kinds=(app bare react page drawn)
paint_env=()

# command_for NAME: sets `command` to what starts that kind.
command_for() {
  case $1 in
    stock | bare) command=("$target/release/ox-teams-bare-tauri") ;;
    react) command=("$target/release/ox-teams-bare-tauri" floor.html) ;;
    page) command=("$target/release/ox-teams-bare-tauri" page.html) ;;
    drawn) command=("$target/release/ox-teams-bare-tauri" floor-page.html) ;;
    app) command=("$target/release/ox-teams") ;;
  esac
}

# Each app's data folder is made by a first start, not measured (a first start also builds
# WebKit's and fontconfig's caches); the runs measured start it again, as a person does.
# Indexed: measuring the app can add `stock` to the list.
for ((k = 0; k < ${#kinds[@]}; k++)); do
  name=${kinds[k]}
  command_for "$name"
  home[$name]=$(mktemp -d "$work/$name.XXXXXX")
  mkdir -p "${home[$name]}"/{data,config,cache}
  first=$(run "$name" "${home[$name]}" "${command[@]}")
  echo "  $name first start (new data folder): first paint ${first%% *} s"
  if [ "$name" = app ] && grep -q "paints without compositing" "${home[$name]}/log"; then
    echo "  the app paints without compositing here (no GPU): so do the floors, and stock is measured too"
    paint_env=(WEBKIT_DISABLE_COMPOSITING_MODE=1)
    kinds+=(stock)
  fi
done

# Round after round, each kind once a round: a host that slows down or speeds up during the
# bench then weighs on every kind alike, and the ratios compare runs made minutes apart at most.
for ((i = 1; i <= runs; i++)); do
  for name in "${kinds[@]}"; do
    command_for "$name"
    result=$(run "$name" "${home[$name]}" "${command[@]}")
    measured[$name]+="$result"$'\n'
    echo "  $name run $i: first paint ${result%% *} s; PSS total, app process, WebKit processes (kB): ${result#* }"
  done
done
# column_median NAME N: the median of column N of NAME's runs.
column_median() { printf '%s' "${measured[$1]}" | awk -v n="$2" '{print $n}' | median; }
for name in "${kinds[@]}"; do
  paint[$name]=$(column_median "$name" 1)
  total[$name]=$(column_median "$name" 2)
  app[$name]=$(column_median "$name" 3)
  web[$name]=$(column_median "$name" 4)
done

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
echo "medians of $runs:"
for name in "${kinds[@]}"; do
  echo "  $name paints at ${paint[$name]} s, $(mb "${total[$name]}") MB (app process $(mb "${app[$name]}"), WebKit $(mb "${web[$name]}"))"
done
figure() {
  printf 'figure {"measure": "%s", "value": %s, "unit": "%s", "floor": %s, "floor_what": "%s", "target": {"kind": "ratio_at_most", "value": %s}}\n' "$@"
}
bare="a bare Tauri 2 app, same profile, same run, painting as the app does"
page="bare Tauri showing the app's first page as static HTML"
drawn="bare Tauri showing the app's first page drawn by React, without the app's code"
if [ -n "${total[stock]:-}" ]; then
  stock="a bare Tauri 2 app as it comes (compositing in software OpenGL)"
  figure "Idle memory, beside bare Tauri as it comes" "$(mb "${total[app]}")" MB "$(mb "${total[stock]}")" "$stock" 1.25
  figure "Start to first paint, beside bare Tauri as it comes" "${paint[app]}" s "${paint[stock]}" "$stock" 1.5
fi
figure "Idle memory, PSS of the process tree, window open" "$(mb "${total[app]}")" MB "$(mb "${total[bare]}")" "$bare" 1.25
figure "Idle memory, beside the first page without script" "$(mb "${total[app]}")" MB "$(mb "${total[page]}")" "$page" 1.25
figure "Idle memory of the first page without script" "$(mb "${total[page]}")" MB "$(mb "${total[bare]}")" "$bare" 1.25
figure "Idle memory of the first page drawn by React, without the app's code" "$(mb "${total[drawn]}")" MB "$(mb "${total[bare]}")" "$bare" 1.25
figure "Idle memory, beside the first page drawn by React" "$(mb "${total[app]}")" MB "$(mb "${total[drawn]}")" "$drawn" 1.25
figure "Start to first meaningful paint" "${paint[app]}" s "${paint[bare]}" "$bare" 1.5
figure "Start to first paint, beside the first page without script" "${paint[app]}" s "${paint[page]}" "$page" 1.5
figure "Start to first paint of the first page without script" "${paint[page]}" s "${paint[bare]}" "$bare" 1.5
figure "Start to first paint of the first page drawn by React, without the app's code" "${paint[drawn]}" s "${paint[bare]}" "$bare" 1.5
