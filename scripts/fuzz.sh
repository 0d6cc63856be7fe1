#!/usr/bin/env bash
# Builds the libFuzzer target (clang-14, ASan + UBSan) and runs it, one worker. RELIABILITY.md
# says what it checks and records the long run.
#   scripts/fuzz.sh [seconds]            smoke run (default 60 s): what scripts/test.sh runs
#   scripts/fuzz.sh --runs N [seconds]   long run: N executions (e.g. 10000000), no time limit
#                                        unless one is given; full log in build/fuzz/long-run-<time>-<pid>.log
# Both first replay fuzz/regressions/: a reproducer whose name starts with "open-" is a known,
# not yet fixed bug (reported, does not fail the run); any other that fails, fails the run.
# AJS_BUILD_JOBS (default 2) sets the build's parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=-1
seconds=60
if [ "${1:-}" = "--runs" ]; then
  runs=${2:?--runs needs a count}
  seconds=${3:-0}
else
  seconds=${1:-60}
fi
[ -f build/fuzz/CMakeCache.txt ] || cmake -S . -B build/fuzz -DAJS_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build build/fuzz -j"${AJS_BUILD_JOBS:-2}" --target fuzz_handle
fuzzer=build/fuzz/fuzz_handle
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1

# Regressions: each reproducer replayed once, with every oracle on. open-<tag>--<name> is a known
# bug not fixed yet: reported, and the fuzzing below looks past it (AJS_FUZZ_OPEN_BUGS=<tag>) so
# that it finds other bugs; once fixed, drop the "open-" prefix and it guards the fix.
failed=0
open_bugs=""
for f in fuzz/regressions/*; do
  [ -f "$f" ] || continue
  case "$f" in *.md) continue ;; esac
  name=$(basename "$f")
  if AJS_FUZZ_OPEN_BUGS= "$fuzzer" -runs=1 "$f" >build/fuzz/regression.log 2>&1; then
    if [[ "$name" == open-* ]]; then echo "regression $f passes now: rename it without 'open-'"
    else echo "regression ok: $f"; fi
  elif [[ "$name" == open-* ]]; then
    tag=${name#open-}; tag=${tag%%--*}
    case ",$open_bugs," in *",$tag,"*) ;; *) open_bugs="${open_bugs:+$open_bugs,}$tag" ;; esac
    echo "known open bug ($tag): $f: $(grep -m1 -o 'ORACLE.*\|ERROR: .*' build/fuzz/regression.log | cut -c1-160)"
  else
    echo "REGRESSION: $f"; grep -m3 'ORACLE\|ERROR\|runtime error' build/fuzz/regression.log; failed=1
  fi
done
[ "$failed" = 0 ] || exit 1
export AJS_FUZZ_OPEN_BUGS="$open_bugs"
[ -z "$open_bugs" ] || echo "fuzzing looks past the known open bugs: $open_bugs"

# Fresh findings go to build/fuzz/; the seeds in fuzz/corpus stay as committed. The long run
# keeps its corpus in build/fuzz/corpus across runs; the smoke run starts from the seeds alone
# each time (a grown corpus would take most of its minute to load). Inputs up to 600 KB; one
# allocation over 64 MB is a finding (the wasm instance's memory aim for a legal request is 32 MB).
work=build/fuzz/corpus
if [ "$runs" = "-1" ]; then
  work=build/fuzz/smoke-corpus.$$  # one per run: two smoke runs at once do not share it
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
args=("$work" fuzz/corpus -max_len=614400 -dict=fuzz/ajs.dict -timeout=60 -malloc_limit_mb=64
      -rss_limit_mb=4096 -artifact_prefix=build/fuzz/ -print_final_stats=1)
if [ "$runs" != "-1" ]; then
  args+=(-runs="$runs")
  [ "$seconds" = "0" ] || args+=(-max_total_time="$seconds")
  log=build/fuzz/long-run-$(date -u +%Y%m%dT%H%M%S)-$$.log  # one per run: runs at once do not mix
  echo "long run: $fuzzer ${args[*]} (log: $log)"
  start=$(date +%s)
  set +e
  "$fuzzer" "${args[@]}" >"$log" 2>&1
  rc=$?
  set -e
  echo "exit $rc after $(( $(date +%s) - start )) s"
  { grep -E '^#[0-9]+' "$log" || true; } | tail -n 3
  tail -n 40 "$log" | grep -E 'ORACLE|ERROR|SUMMARY|stat::|Test unit written|artifact' || true
  exit "$rc"
fi
set +e
log=build/fuzz/smoke.$$.log
"$fuzzer" "${args[@]}" -max_total_time="$seconds" >"$log" 2>&1
rc=$?
set -e
mv -f "$log" build/fuzz/smoke.log
{ grep -E 'ORACLE|ERROR|runtime error|Test unit written' build/fuzz/smoke.log || true; } | head -n 8
{ grep -E '^#[0-9]+ +DONE' build/fuzz/smoke.log || true; } | cut -c1-120
tail -n 6 build/fuzz/smoke.log
exit "$rc"
