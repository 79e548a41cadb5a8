#!/usr/bin/env bash
# make bench: every benchmark, then one table of the figures they print (tests/scripts/
# bench-table.mjs): measure, figure, floor, ratio, target, met or not. Figures, not assertions,
# and not part of make test. The logs stay in $CARGO_TARGET_DIR/bench.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
logs="$target/bench"
mkdir -p "$logs"
rm -f "$logs"/*.log

# run NAME COMMAND...: shows the command's output and keeps it for the table.
run() {
  local name=$1
  shift
  echo "== $name"
  "$@" | tee "$logs/$name.log" | grep -v '^figure ' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "bench: $name failed" >&2; exit 1; }
}

bench() { cargo bench --locked -p "$1" --bench "$2"; }
run throughput bench ox-teams-sandbox throughput
run import bench ox-teams-tests import
run workflows bench ox-teams-tests workflows
run dispatch bench ox-teams-tests dispatch
run people_search bench ox-teams-tests people_search
run rescan bench ox-teams-tests rescan
run github_poll bench ox-teams-tests github_poll
run app tests/scripts/bench-app.sh
run ui node tests/scripts/bench-ui.mjs

echo
node tests/scripts/bench-table.mjs "$logs"/*.log
