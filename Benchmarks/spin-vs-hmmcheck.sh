#!/usr/bin/env bash
# SPIN against hmmcheck on the SPIN anchor's HMM twin (never run by the tests).
#
#   Benchmarks/spin-vs-hmmcheck.sh [quick|full]
#     quick (default)  NP=2 ND=2: the correct protocol, BUG_O2 and BUG_NO_SETSEQ
#     full             adds NP=3 ND=2 (minutes, and about 11 GB for SPIN and
#                      several GB for hmmcheck: one tool at a time)
#
# SPIN runs the anchor's Promela model exactly as its run.sh does (a copy of
# hmm.pml in a temporary directory; `spin -a -DNP -DND [-D<bug>]`, `gcc -O2 -w
# -DSAFETY -DMEMLIM=20000 [-DNOREDUCE | POR (default) | -DBFS]`, `./pan -w<W>
# -m100000`, W = 24 for 2x2, 27 for 3x2, 20 for the buggy variants), and
# hmmcheck checks the equivalent model in Benchmarks/models/spin_twin_*.yaml
# (safety suites only, the three the twin's monitor checks). Both run under
# /usr/bin/time. The correct protocol is an exhaustive search; the buggy
# variants measure the time to the first, shortest counterexample (SPIN
# -DBFS; hmmcheck's BFS, with --stop-at-first when `hmmcheck check --help`
# lists it, otherwise the whole space is explored and the row says so).
#
# Environment:
#   SPIN_MODEL      the Promela model (default /work/shared/anchors/spin/hmm.pml)
#   HMMCHECK_FLAGS  extra `hmmcheck check` flags, e.g. "--workers 2"; several
#                   sets separated by ';' give one hmmcheck row each
#                   ("--workers 1;--workers 2"). Every --flag must be listed
#                   by `hmmcheck check --help`.
#   HMMCHECK_CORRECT_FLAGS  flags added to the correct-protocol rows only, e.g.
#                   "--max-memory 1024" (hmmcheck then sizes its fingerprint
#                   table up front, as pan's -w does, instead of growing it)
#   HMMCHECK_BIN    an hmmcheck binary to use instead of building this
#                   checkout's (`swift build -c release --product hmmcheck`)
#   LIMIT_S         seconds per pan run (SIGINT, so pan still prints its
#                   statistics; default 900)
#   MEMLIM          pan's -DMEMLIM in MB (default 20000)
#
# Prints a Markdown table on stdout (progress on stderr). Needs gcc, python3,
# GNU time and timeout; installs the Debian package `spin` if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-quick}
case "$MODE" in
  quick | full) ;;
  *) echo "usage: $0 [quick|full]" >&2; exit 64 ;;
esac
SPIN_MODEL=${SPIN_MODEL:-/work/shared/anchors/spin/hmm.pml}
HMMCHECK_FLAGS=${HMMCHECK_FLAGS:-}
LIMIT_S=${LIMIT_S:-900}
MEMLIM=${MEMLIM:-20000}

die() { echo "spin-vs-hmmcheck: error: $*" >&2; exit 1; }
say() { echo "spin-vs-hmmcheck: $*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- tools -------------------------------------------------------------------
[ -r "$SPIN_MODEL" ] || die "SPIN model not readable: $SPIN_MODEL (set SPIN_MODEL)"
command -v gcc >/dev/null || die "gcc not found"
command -v python3 >/dev/null || die "python3 not found"
command -v timeout >/dev/null || die "timeout (GNU coreutils) not found"
if [ ! -x /usr/bin/time ]; then
  say "installing GNU time (/usr/bin/time)"
  as_root apt-get install -y time >&2 || die "could not install the Debian package 'time'"
fi
if ! command -v spin >/dev/null; then
  say "installing SPIN (Debian package spin)"
  if ! as_root apt-get install -y spin >&2; then
    as_root apt-get update >&2 && as_root apt-get install -y spin >&2 || die "could not install the Debian package 'spin'"
  fi
fi
command -v spin >/dev/null || die "spin not found after installing it"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROWS=$WORK/rows.tsv
: > "$ROWS"
HMM_N=0

if [ -n "${HMMCHECK_BIN:-}" ]; then
  BIN=$HMMCHECK_BIN
  say "using $BIN (HMMCHECK_BIN; not rebuilt)"
else
  say "building hmmcheck (release)"
  swift build -c release --product hmmcheck > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "swift build failed"; }
  BIN=$PWD/.build/release/hmmcheck
fi
[ -x "$BIN" ] || die "no hmmcheck binary at $BIN"
HELP=$("$BIN" check --help 2>&1) || die "hmmcheck check --help failed"

# Split HMMCHECK_FLAGS into sets; every --flag must be one `check` knows.
FLAGSETS=()
IFS=';' read -r -a FLAGSETS <<< "${HMMCHECK_FLAGS:-}"
[ ${#FLAGSETS[@]} -gt 0 ] || FLAGSETS=("")
for set in "${FLAGSETS[@]}"; do
  for tok in $set; do
    case "$tok" in
      --*) grep -q -- "${tok%%=*}\b" <<< "$HELP" ||
             die "HMMCHECK_FLAGS: '$tok' is not an option of this hmmcheck check (see hmmcheck check --help)" ;;
    esac
  done
done
STOP_FLAG=""
if grep -q -- '--stop-at-first' <<< "$HELP"; then STOP_FLAG=--stop-at-first; fi

# --- one pan run -------------------------------------------------------------
# spin_run CONFIG NP ND BUG(-|BUG_O2|BUG_NO_SETSEQ) OPT(NOREDUCE|POR|BFS) W
spin_run() {
  local config=$1 np=$2 nd=$3 bug=$4 opt=$5 w=$6
  local d="$WORK/spin-$config-$opt" vdef="" ccx=""
  [ "$bug" = - ] || vdef="-D$bug"
  case "$opt" in NOREDUCE) ccx=-DNOREDUCE ;; BFS) ccx=-DBFS ;; POR) ccx="" ;; esac
  mkdir -p "$d"
  cp "$SPIN_MODEL" "$d/hmm.pml"
  say "SPIN $config $opt -w$w"
  # shellcheck disable=SC2086
  (cd "$d" && spin -a -DNP="$np" -DND="$nd" $vdef hmm.pml > spin.txt 2>&1) ||
    { cat "$d/spin.txt" >&2; die "spin -a failed ($config $opt)"; }
  # shellcheck disable=SC2086
  (cd "$d" && gcc -O2 -w -DSAFETY -DMEMLIM="$MEMLIM" $ccx -o pan pan.c > gcc.txt 2>&1) ||
    { cat "$d/gcc.txt" >&2; die "gcc pan.c failed ($config $opt)"; }
  # pan's exit status is not a verdict: its output is parsed below.
  (cd "$d" && /usr/bin/time -o rusage.txt -f "%e %M" timeout -s INT "$LIMIT_S" ./pan -w"$w" -m100000 > out.txt 2>&1) || true
  grep -q 'states, stored' "$d/out.txt" || { tail -n 20 "$d/out.txt" >&2; die "pan printed no statistics ($config $opt)"; }
  local ru
  ru=$(tail -n 1 "$d/rusage.txt")
  # The fields run.sh's awk reads, in its way.
  awk -v config="$config" -v opt="$opt" -v w="$w" -v nd="$nd" -v ru="$ru" '
    /State-vector/        { for (i = 1; i <= NF; i++) { if ($i == "errors:") err = $(i+1) } }
    /states, stored/      { stored = $1 }
    /transitions \(= stored\+matched\)/ { trans = $1 }
    /actual memory usage for states/ { mems = $1 }
    /pan: elapsed time/   { el = $4 }
    /^Interrupted/        { intr = 1 }
    /max search depth too small/ { trunc = 1 }
    /MEMLIM/ && /reached/ { memlim = 1 }
    /at depth/            { if (ced == "") { s = $0; sub(/.*at depth /, "", s); sub(/\).*/, "", s); ced = s } }
    END {
      st = memlim ? "memlim" : trunc ? "depth-truncated" : intr ? "timeout" : (err > 0) ? "counterexample" : "complete"
      bps = (stored > 0 && mems != "") ? sprintf("%.1f", mems * 1048576 / stored) : "-"
      cex = (ced == "") ? "-" : sprintf("%d (%d)", ced, ced - (nd + 5))
      split(ru, r, " ")
      printf "%s\tspin\t%s\tSPIN %s -w%s\t%s\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%.1f\n",
        config, opt, opt, w, st, stored, trans, cex, r[1], (el == "" ? "-" : el), bps, r[2] / 1024
    }' "$d/out.txt" >> "$ROWS"
}

# --- one hmmcheck run --------------------------------------------------------
# hmm_run CONFIG MODEL BUGGY(0|1) FLAGS
hmm_run() {
  local config=$1 model=$2 buggy=$3 flags=$4
  [ -r "$model" ] || die "model not found: $model"
  HMM_N=$((HMM_N + 1))
  local d="$WORK/hmm-$HMM_N" label="hmmcheck BFS"
  mkdir -p "$d"
  if [ "$buggy" = 1 ] && [ -n "$STOP_FLAG" ] && ! grep -q -- "$STOP_FLAG" <<< "$flags"; then
    flags="$flags $STOP_FLAG"
  fi
  flags=$(echo $flags)  # squeeze blanks
  [ -z "$flags" ] || label="$label $flags"
  [ "$buggy" = 1 ] && [ -z "$STOP_FLAG" ] && label="$label (whole space: no --stop-at-first)"
  say "hmmcheck $config $flags"
  local rc=0
  # shellcheck disable=SC2086
  /usr/bin/time -o "$d/rusage.txt" -f "%e %M" "$BIN" check "$model" $flags --report json --report-file "$d/report.json" \
    > "$d/out.txt" 2>&1 || rc=$?
  case $rc in
    0 | 1 | 2) ;;  # a verdict: 1 and 2 are reported in the table's result column
    *) tail -n 20 "$d/out.txt" >&2; die "hmmcheck check $model exited $rc" ;;
  esac
  [ -s "$d/report.json" ] || { tail -n 20 "$d/out.txt" >&2; die "hmmcheck wrote no JSON report for $model"; }
  python3 - "$d/report.json" "$(tail -n 1 "$d/rusage.txt")" "$config" "$label" >> "$ROWS" <<'PY'
import json, sys
report, ru, config, label = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4]
m = json.load(open(report))["models"][0]
states, trans = int(m["distinctStates"]), int(m["transitions"])
viol = [f for f in m.get("findings", []) if f["kind"] != "witness"]
cex = str(min(f["steps"] for f in viol)) if viol else "-"
result = m.get("stop", "?")
if viol:
    result += ", %d violation%s" % (len(viol), "" if len(viol) == 1 else "s")
result += "" if int(m["exit"]) == 0 else ", FAIL (exit %s)" % m["exit"]
rss_kb = float(ru[1])
if m.get("memoryBytes") is not None and states > 0:
    bps = "%.1f" % (float(m["memoryBytes"]) / states)
else:
    bps = "%.1f*" % (rss_kb * 1024 / states) if states > 0 else "-"
print("\t".join([config, "hmm", "", label, result, str(states), str(trans), cex, ru[0],
                 "%.2f" % float(m["seconds"]), bps, "%.1f" % (rss_kb / 1024)]))
PY
}

# --- configurations ----------------------------------------------------------
correct() {  # correct CONFIG NP ND W MODEL
  spin_run "$1" "$2" "$3" - NOREDUCE "$4"
  spin_run "$1" "$2" "$3" - POR "$4"
  for set in "${FLAGSETS[@]}"; do hmm_run "$1" "$5" 0 "$set ${HMMCHECK_CORRECT_FLAGS:-}"; done
}
buggy() {  # buggy CONFIG NP ND BUG MODEL
  spin_run "$1" "$2" "$3" "$4" BFS 20
  for set in "${FLAGSETS[@]}"; do hmm_run "$1" "$5" 1 "$set"; done
}

if [ -n "${HMMCHECK_BIN:-}" ]; then
  REV="binary $BIN"
else
  REV="built at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  [ -z "$(git status --porcelain -- Sources Package.swift 2>/dev/null)" ] || REV="$REV, with Sources/ modified"
fi
VERSIONS="$(spin -V 2>&1 | head -n 1); $("$BIN" --version 2>/dev/null || echo 'hmmcheck ?') ($REV)"
say "$VERSIONS"
correct "2x2" 2 2 24 Benchmarks/models/spin_twin_2x2_safety.yaml
buggy "2x2 BUG_O2" 2 2 BUG_O2 Benchmarks/models/spin_twin_2x2_bug_o2.yaml
buggy "2x2 BUG_NO_SETSEQ" 2 2 BUG_NO_SETSEQ Benchmarks/models/spin_twin_2x2_bug_no_setseq.yaml
if [ "$MODE" = full ]; then
  correct "3x2" 3 2 27 Benchmarks/models/spin_twin_3x2.yaml
  buggy "3x2 BUG_O2" 3 2 BUG_O2 Benchmarks/models/spin_twin_3x2_bug_o2.yaml
  buggy "3x2 BUG_NO_SETSEQ" 3 2 BUG_NO_SETSEQ Benchmarks/models/spin_twin_3x2_bug_no_setseq.yaml
fi

# --- the table ---------------------------------------------------------------
python3 - "$ROWS" "$VERSIONS" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def num(s):
    try: return float(s)
    except ValueError: return None
def c(n): return "{:,}".format(int(n))
print("| config | tool, options | result | distinct states | transitions | counterexample steps | wall s | search s | states/s | bytes/state | peak RSS MB | time hmmcheck/SPIN | RSS hmmcheck/SPIN |")
print("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for r in rows:
    config, tool, opt, label, result, states, trans, cex, wall, search, bps, rss = r
    s = num(search)
    sps = c(int(states) / s) if s else "-"
    tr = mr = ""
    if tool == "hmm":
        refs = [x for x in rows if x[0] == config and x[1] == "spin"]
        order = {"NOREDUCE": 0, "POR": 1, "BFS": 2}
        refs.sort(key=lambda x: order.get(x[2], 9))
        def ratio(i):
            parts = []
            for x in refs:
                a, b = num(r[i]), num(x[i])
                parts.append("%.2f" % (a / b) if a is not None and b else "-")
            return " / ".join(parts)
        tr, mr = ratio(8), ratio(11)
    print(f"| {config} | {label} | {result} | {c(states)} | {c(trans)} | {cex} | {wall} | {search} | {sps} | {bps} | {rss} | {tr} | {mr} |")
print()
print("Wall s and peak RSS from /usr/bin/time; search s is the tool's own clock (pan's \"elapsed time\", "
      "rounded by pan and 0 below 0.01 s; hmmcheck's JSON `seconds`); states/s = distinct states / search s. "
      "SPIN's bytes/state is its \"actual memory usage for states\" / states stored (no hash table); "
      "hmmcheck's is its report's `memoryBytes` / states when it has that field, else peak RSS / states (marked *). "
      "Ratios are hmmcheck / SPIN on wall s and peak RSS: against SPIN NOREDUCE / POR for the correct protocol "
      "(hmmcheck has no partial-order reduction), against SPIN BFS for the bugs. Counterexample steps: "
      "SPIN's BFS trail depth, in brackets without the ND+5 steps of `init` starting the threads; hmmcheck's shortest "
      "violation. The two models' step boundaries differ (see the twin models' descriptions), so state counts and "
      "depths are comparable in order of magnitude, not equal. " + sys.argv[2] + ".")
PY
