#!/usr/bin/env bash
# The explorers' hot paths under ordo-one/benchmark (never run by the tests
# or CI): wall clock, throughput and heap allocations of
#   (a) the packed BFS, 1 worker, exhaustive on Benchmarks/models/spin_twin_1x2.yaml
#   (b) uniform random walks on Models/mirror_migrate_cpu_2p2d.yaml, 20,000 x 200, seed 1
# then alloc-report, which runs each explorer once at several sizes and
# prints states, steps, seconds, rates and mallocs per state / per step.
#
#   Benchmarks/explorer-benchmarks.sh          both (the default)
#   Benchmarks/explorer-benchmarks.sh bench    only the benchmark package's report
#   Benchmarks/explorer-benchmarks.sh report   only alloc-report
#   Benchmarks/explorer-benchmarks.sh stacks   where the mallocs come from (allocation stacks)
#
# Everything builds in release into Benchmarks/ExplorerBenchmarks/.build
# (first build: several minutes). The machine is noisy: read the p50 and
# compare runs, not single numbers. Malloc counts are exact and repeatable.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=Benchmarks/ExplorerBenchmarks

bench() {
  # The command plugin builds the benchmark target in release itself and
  # preloads the malloc interposer on Linux; it writes nothing into the
  # package for a plain run (no baseline is saved).
  swift package --package-path "$PKG" benchmark run --no-progress
}

report() {
  swift build --package-path "$PKG" -c release --product alloc-report >/dev/null
  local bin
  bin=$(swift build --package-path "$PKG" -c release --show-bin-path)
  # Linking the interposer is enough on Linux (its malloc precedes libc's);
  # preloading it as the benchmark plugin does is harmless and also covers
  # other platforms. alloc-report refuses to print if nothing is counted.
  local preload="$bin/libMallocInterposerSwift.so"
  if [[ -f "$preload" ]]; then
    LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}" "$bin/alloc-report"
  else
    "$bin/alloc-report"
  fi
}

stacks() {
  # Every allocation's stack in the measured region, grouped and counted
  # (needs the MallocInterposer trait, set in the package's manifest).
  swift package --package-path "$PKG" benchmark run --no-progress --allocation-stacks --allocation-stack-limit 30
}

case "${1:-all}" in
  all) bench; echo; report ;;
  bench) bench ;;
  report) report ;;
  stacks) stacks ;;
  *) echo "usage: $0 [all|bench|report|stacks]" >&2; exit 64 ;;
esac
