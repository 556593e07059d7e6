#!/usr/bin/env bash
# Benchmarks (never run by the tests): whole-run timings of the release
# binary on the bundled models, printed as Markdown tables.
#
#   Benchmarks/run.sh liveness   safety BFS vs the liveness pass, per model with liveness properties
#   Benchmarks/run.sh prove      Z3 bounded model checking of the buggy models to their counterexample
#   Benchmarks/run.sh all        both
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
  prove) prove ;;
  all) liveness; echo; prove ;;
  *) echo "usage: $0 [liveness|prove|all]" >&2; exit 64 ;;
esac
