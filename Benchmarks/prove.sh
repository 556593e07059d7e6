#!/usr/bin/env bash
# Benchmarks of `hmmcheck prove` (never run by the tests), printed as
# Markdown tables.
#
#   Benchmarks/prove.sh models   time to prove every always property (the
#                                headline suites included) of each bundled
#                                model from its committed lemma file, or with
#                                its reachable set as the invariant (no file)
#   Benchmarks/prove.sh pages    the page family Benchmarks/models/prove_mirror_munmap_<N>p.yaml
#                                (N = 1..3; the model format allows 6 threads):
#                                explicit states, mining + proof, the proof
#                                alone from the mined lemma file, and the proof
#                                by the reachable set
#   Benchmarks/prove.sh all      both
#
# Wall times from the shell (the machine is noisy; compare ratios).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product hmmcheck >/dev/null
BIN=.build/release/hmmcheck
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

now() { date +%s.%N; }

models() {
  echo "| model | invariant | result | prove wall s |"
  echo "|---|---|---|--:|"
  for f in Models/*.yaml; do
    local name lemmas start end line invariant
    name=$(basename "$f" .yaml)
    lemmas=Properties/lemmas/$name.hmmprop
    if [ -f "$lemmas" ]; then
      invariant="$(grep -c '^always ' "$lemmas") lemmas"
    elif grep -q '^expect: pass' "$f" && grep -qE 'no_stale_device_mapping|no_memcg_overcharge' "$f"; then
      invariant="reachable set"
    else
      continue
    fi
    start=$(now)
    line=$($BIN prove "$f" --require-proof 2>&1 | grep -E "PROVED|NOT PROVED|UNKNOWN|PASS \(bounded\)" | head -1 || true)
    end=$(now)
    printf '| %s | %s | %s | %.2f |\n' "$name" "$invariant" \
      "$(sed 's/^ *//; s/ with .*//; s/|/\\|/g' <<< "$line")" "$(echo "$end - $start" | bc)"
  done
}

pages() {
  echo "| pages | explicit states | BFS wall s | mine + prove wall s | prove from the mined file wall s | prove by the reachable set wall s | result |"
  echo "|--:|--:|--:|--:|--:|--:|---|"
  for n in 1 2 3; do
    local f="Benchmarks/models/prove_mirror_munmap_${n}p.yaml" states bfs mine prove cert start end line
    [ -f "$f" ] || break
    start=$(now)
    states=$(timeout 120 $BIN check "$f" 2>&1 | sed -n 's/.*bfs: [a-z, ]*\([0-9]*\) distinct states.*/\1/p' || true)
    end=$(now)
    bfs=$(echo "$end - $start" | bc)
    start=$(now)
    line=$(timeout 300 $BIN prove "$f" --mine-lemmas --lemmas "$OUT" --depth 0 --max-k 0 --require-proof 2>&1 \
      | grep -E "PROVED|NOT PROVED|UNKNOWN|gave up|PASS \(bounded\)" | head -1 || true)
    end=$(now)
    mine=$(echo "$end - $start" | bc)
    start=$(now)
    $BIN prove "$f" --lemmas "$OUT" --depth 0 --max-k 0 --require-proof >/dev/null 2>&1 || true
    end=$(now)
    prove=$(echo "$end - $start" | bc)
    start=$(now)
    if timeout 600 $BIN prove "$f" --lemmas "$OUT/none" --depth 0 --max-k 0 --require-proof >/dev/null 2>&1; then
      end=$(now)
      cert=$(printf '%.2f' "$(echo "$end - $start" | bc)")
    else
      cert="not proved in 600 s"
    fi
    [ -n "$line" ] || line="no result within 300 s"
    printf '| %d | %s | %.2f | %.2f | %.2f | %s | %s |\n' "$n" "${states:-not finished in 120 s}" "$bfs" "$mine" "$prove" "$cert" \
      "$(sed 's/^ *//; s/ with .*//; s/|/\\|/g' <<< "$line" | cut -c1-80)"
    case "$line" in *"PROVED for every depth"*) ;; *) break ;; esac
  done
}

case "${1:-all}" in
  models) models ;;
  pages) pages ;;
  all) models; echo; pages ;;
  *) echo "usage: $0 [models|pages|all]" >&2; exit 64 ;;
esac
