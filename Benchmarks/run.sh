#!/usr/bin/env bash
# Benchmarks (never run by the tests): whole-run timings of the release
# binary on the bundled models, printed as Markdown tables.
#
#   Benchmarks/run.sh liveness   safety BFS vs the liveness pass, per model with liveness properties
#   Benchmarks/run.sh twins      the SPIN twins 2x2 and 3x2: safety alone (1 and 2 workers), safety with
#                                liveness (one recorded search), and states with and without renaming
#   Benchmarks/run.sh prove      Z3 bounded model checking of the buggy models to their counterexample
#   Benchmarks/run.sh all        liveness and prove
#
# Timings come from the binary's own monotonic clock (JSON report) or from
# /usr/bin/time; the machine is noisy, so compare ratios and repeat runs.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product hmmcheck >/dev/null
BIN=.build/release/hmmcheck
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

liveness() {
  local models
  models="$(grep -l 'liveness' Models/*.yaml) Benchmarks/models/spin_twin_1x1.yaml Benchmarks/models/spin_twin_2x1.yaml Benchmarks/models/spin_twin_1x2.yaml Benchmarks/models/spin_twin_3x1.yaml"
  # shellcheck disable=SC2086
  $BIN check $models --report json --report-file "$OUT/l.json" >/dev/null || true
  python3 - "$OUT/l.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("| model | distinct states | transitions | safety BFS s | liveness s | liveness / safety |")
print("|---|--:|--:|--:|--:|--:|")
for m in d["models"]:
    s = float(m["seconds"]); l = float(m["livenessSeconds"] or 0)
    print(f"| {m['model']} | {m['distinctStates']:,} | {m['transitions']:,} | {s:.4f} | {l:.4f} | {l / s if s > 0 else 0:.2f} |")
PY
}

# One run: distinct states, wall s, peak RSS MiB (from /usr/bin/time).
measure() {
  local label=$1; shift
  local out
  out=$(/usr/bin/time -f "TIME %e %M" "$BIN" check "$@" 2>&1 || true)
  local states wall rss live
  states=$(echo "$out" | sed -nE 's/.*bfs: [a-z-]+, ([0-9]+) distinct states.*/\1/p')
  wall=$(echo "$out" | sed -nE 's/^TIME ([0-9.]+) ([0-9]+)$/\1/p')
  rss=$(echo "$out" | sed -nE 's/^TIME ([0-9.]+) ([0-9]+)$/\2/p')
  live=$(echo "$out" | sed -nE 's/.*liveness \(fairness [a-z\/]+\): .*, ([0-9.]+) s$/\1/p')
  printf "| %s | %'d | %s | %s | %d |\n" "$label" "$states" "$wall" "${live:--}" $((rss / 1024))
}

twins() {
  echo "| run | distinct states | wall s | of which liveness s | peak RSS MiB |"
  echo "|---|--:|--:|--:|--:|"
  for n in 2x2 3x2; do
    local safety=Benchmarks/models/spin_twin_${n}.yaml live=Benchmarks/models/spin_twin_${n}.yaml
    [ "$n" = 2x2 ] && safety=Benchmarks/models/spin_twin_2x2_safety.yaml
    [ "$n" = 3x2 ] && live=Benchmarks/models/spin_twin_3x2_liveness.yaml
    measure "$n safety, --workers 1" "$safety" --workers 1
    measure "$n safety, --workers 2" "$safety" --workers 2
    measure "$n safety + liveness (one recorded search)" "$live"
    measure "$n safety, --workers 2 --no-renaming" "$safety" --workers 2 --no-renaming
  done
}

prove() {
  echo "| model | expected | BMC result | depth | wall s |"
  echo "|---|---|---|--:|--:|"
  for f in Models/bug_o1_*.yaml Models/bug_o2_*.yaml Models/bug_o3_*.yaml Models/bug_b1_*.yaml Models/bug_b2_*.yaml Models/bug_o4_*.yaml; do
    local name start end line
    name=$(basename "$f" .yaml)
    start=$(date +%s.%N)
    line=$($BIN prove "$f" --depth 40 --max-k 1 2>&1 | grep -E "✗|FAIL|UNKNOWN" | head -1 || true)
    end=$(date +%s.%N)
    local depth
    depth=$(sed -n 's/.*at depth \([0-9]*\).*/\1/p' <<< "$line")
    printf '| %s | %s | %s | %s | %.2f |\n' "$name" "$(sed -n 's/^expect: //p' "$f")" \
      "$(sed 's/^ *//; s/|/\\|/g' <<< "$line" | cut -c1-60)" "${depth:--}" "$(echo "$end - $start" | bc)"
  done
}

case "${1:-all}" in
  liveness) liveness ;;
  twins) twins ;;
  prove) prove ;;
  all) liveness; echo; prove ;;
  *) echo "usage: $0 [liveness|twins|prove|all]" >&2; exit 64 ;;
esac
