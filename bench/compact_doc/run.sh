#!/usr/bin/env bash
# The compact document experiment (README.md beside this): its test against json::parse, then its
# parse timed against json::parse natively and in wasi (Node), on the benchmark's batch and small
# events. Not part of the build or of pass/fail. Needs the wasi build's Boost headers
# (bash scripts/build.sh wasi) and Node's WASI.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/compact_doc
out=build/compact_doc
mkdir -p "$out" build/bench
node bench/make_batch.mjs build/bench >/dev/null
defs="-DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB -DBOOST_SYSTEM_DISABLE_THREADS -DBOOST_NO_EXCEPTIONS"
core_json=(src/json/*.cpp)

# The test (doctest throws: exceptions on for it alone, as tests/unit does).
clang++-14 -std=c++17 -O1 -DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB -DBOOST_SYSTEM_DISABLE_THREADS -DDOCTEST_CONFIG_IMPLEMENT_WITH_MAIN \
  -Isrc "$here/json_doc_test.cpp" "$here/doc.cpp" "${core_json[@]}" -o "$out/doc_test"
"$out/doc_test"

# Native, clang-14 -O2.
clang++-14 -std=c++17 -O2 $defs -fno-exceptions -Isrc "$here/doc_bench.cpp" "$here/doc.cpp" "${core_json[@]}" -o "$out/doc_bench"
for w in batch small; do "$out/doc_bench" "build/bench/$w.json" 300; done

# wasi, with the module's flags (-O3, LTO, SIMD, bulk memory): compiled, then linked.
flags="--target=wasm32-wasi -std=c++17 -O3 -flto -msimd128 -mbulk-memory -DNDEBUG $defs -DBOOST_NO_RTTI -DBOOST_NO_TYPEID
  -DBOOST_JSON_USE_SSE2 -D_LIBCPP_DISABLE_EXTERN_TEMPLATE -fno-exceptions -fno-rtti -fno-builtin-memcpy -fno-builtin-memmove
  -Isrc -isystem wasm/sse2_on_simd128 -isystem build/wasi/boost-include -Wno-everything"
objects=()
for f in "$here/doc_bench.cpp" "$here/doc.cpp" "${core_json[@]}" wasm/bulk_memory.cpp; do
  o="$out/wasi_$(basename "$f").o"
  clang++-14 $flags -c "$f" -o "$o"
  objects+=("$o")
done
clang++-14 --target=wasm32-wasi -flto -O0 -Wl,--lto-O3 -msimd128 -mbulk-memory "${objects[@]}" -o "$out/doc_bench.wasm"
for w in batch small; do DOC_BENCH_WASM="$out/doc_bench.wasm" node --no-warnings "$here/run_wasi.mjs" "$w.json" 300; done
