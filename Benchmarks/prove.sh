#!/usr/bin/env bash
# Benchmarks of `hmmcheck prove` (never run by the tests), printed as
# Markdown tables.
#
#   Benchmarks/prove.sh models   time to prove every always property (the
#                                headline suites included) of each bundled
#                                model from its committed lemma file, or with
#                                its reachable set as the invariant (no file)
#   Benchmarks/prove.sh pages    the page family Benchmarks/models/prove_mirror_munmap_<N>p.yaml
#                                (N = 1..6, 8): BFS (12 GB limit), mining
#                                (from the reachable states up to 3 pages,
#                                carried over from 3 pages beyond) + proof,
#                                and the proof alone from the mined file; an
#                                hour or so in all
#   Benchmarks/prove.sh family   the members with committed lemma files
#                                (Benchmarks/lemmas): the proof alone
#   Benchmarks/prove.sh all      all three
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

# BFS on one family member: its state count, or how far it got before
# the memory limit (a 5-page member needs ~35 GB). The limit presizes the
# tables, so small members run without it.
bfs_states() {
  local out stop states limit=()
  [ "$2" -le 3 ] || limit=(--max-memory 12000 --time-limit 600)
  out=$($BIN check "$1" "${limit[@]}" 2>&1 || true)
  stop=$(sed -n 's/.*bfs: \([a-z-]*\), [0-9]* distinct states.*/\1/p' <<< "$out" | head -1)
  states=$(sed -n 's/.*bfs: [a-z-]*, \([0-9]*\) distinct states.*/\1/p' <<< "$out" | head -1)
  if [ "$stop" = exhaustive ]; then echo "$states"; else echo "$stop after $states"; fi
}

pages() {
  echo "| pages | threads | explicit states | BFS wall s | mining | mine + prove wall s | prove from the mined file wall s | result |"
  echo "|--:|--:|--:|--:|---|--:|--:|---|"
  for n in 1 2 3 4 5 6 8; do
    local f="Benchmarks/models/prove_mirror_munmap_${n}p.yaml" states bfs mine prove start end line from
    [ -f "$f" ] || break
    start=$(now)
    states=$(bfs_states "$f" "$n")
    end=$(now)
    bfs=$(echo "$end - $start" | bc)
    # Up to 3 pages the reachable states are enumerated and mined; beyond,
    # the 3-page member's page-local facts are carried over (--mine-from).
    if [ "$n" -le 3 ]; then from=(); else from=(--mine-from Benchmarks/models/prove_mirror_munmap_3p.yaml); fi
    start=$(now)
    line=$(timeout 3600 $BIN prove "$f" --mine-lemmas "${from[@]}" --lemmas "$OUT" --depth 0 --max-k 0 --require-proof 2>&1 \
      | grep -E "PROVED|NOT PROVED|UNKNOWN|gave up|PASS \(bounded\)" | head -1 || true)
    end=$(now)
    mine=$(echo "$end - $start" | bc)
    start=$(now)
    $BIN prove "$f" --lemmas "$OUT" --depth 0 --max-k 0 --require-proof >/dev/null 2>&1 || true
    end=$(now)
    prove=$(echo "$end - $start" | bc)
    [ -n "$line" ] || line="no result within 3600 s"
    printf '| %d | %d | %s | %.2f | %s | %.2f | %.2f | %s |\n' "$n" "$((2 * n))" "$states" "$bfs" \
      "$([ "$n" -le 3 ] && echo "reachable states" || echo "from 3 pages")" "$mine" "$prove" \
      "$(sed 's/^ *//; s/ with .*//; s/|/\\|/g' <<< "$line" | cut -c1-80)"
    case "$line" in *"PROVED for every depth"*) ;; *) break ;; esac
  done
}

# The family members past BFS, proved from their committed lemma files
# (Benchmarks/lemmas, written by `pages`' mining): the proof alone.
family() {
  echo "| pages | lemmas | result | prove wall s |"
  echo "|--:|--:|---|--:|"
  for l in Benchmarks/lemmas/prove_mirror_munmap_*p.hmmprop; do
    local name n start end line
    name=$(basename "$l" .hmmprop)
    n=${name##*_}; n=${n%p}
    start=$(now)
    line=$($BIN prove "Benchmarks/models/$name.yaml" --lemmas Benchmarks/lemmas --depth 0 --max-k 0 --require-proof 2>&1 \
      | grep -E "PROVED|NOT PROVED|UNKNOWN|PASS \(bounded\)" | head -1 || true)
    end=$(now)
    printf '| %s | %s | %s | %.2f |\n' "$n" "$(grep -c '^always ' "$l")" \
      "$(sed 's/^ *//; s/ with .*//; s/|/\\|/g' <<< "$line")" "$(echo "$end - $start" | bc)"
  done
}

case "${1:-all}" in
  models) models ;;
  pages) pages ;;
  family) family ;;
  all) models; echo; family; echo; pages ;;
  *) echo "usage: $0 [models|pages|family|all]" >&2; exit 64 ;;
esac
