#!/usr/bin/env bash
# Builds the libFuzzer target (clang-14, ASan + UBSan) and runs it. Usage: scripts/fuzz.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ -f build/fuzz/CMakeCache.txt ] || cmake -S . -B build/fuzz -DAJS_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build build/fuzz -j"${AJS_BUILD_JOBS:-2}" --target fuzz_handle
mkdir -p build/fuzz/corpus
# Fresh findings go to build/fuzz/; the seed corpus in fuzz/corpus stays as committed.
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  build/fuzz/fuzz_handle build/fuzz/corpus fuzz/corpus -max_total_time="$seconds" -max_len=70000 \
  -artifact_prefix=build/fuzz/ -print_final_stats=1 2>&1 | tail -n 25
