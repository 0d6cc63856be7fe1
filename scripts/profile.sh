#!/usr/bin/env bash
# Where the core's time goes, for one of the benchmark's workloads (bench/make_batch.mjs):
#   bash scripts/profile.sh native [single|batch|small]   perf over core_bench (the native build)
#   bash scripts/profile.sh wasm [single|batch|small]     V8's sampler over the wasi module in Node,
#                                                          wasm frames named by C++ function
#   bash scripts/profile.sh worker [single|batch|small]   V8's sampler over the whole Worker in workerd
#                                                          (Miniflare's inspector; wasm frames unnamed)
#   bash scripts/profile.sh process [single|batch|small]  perf over workerd's whole process, for the floor,
#                                                          the plain-JS Worker and the Worker: its CPU per
#                                                          request by part (kernel, workerd, wasm, JS)
# Not part of pass/fail. The wasm profile links the wasi build's own objects again, keeping the
# name section that the shipped module's link strips (--strip-all).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-wasm}
workload=${2:-single}
case "$workload" in
  single) path=/v1/t; iterations=20000 ;;
  batch | small) path=/v1/batch; iterations=80 ;;
  *) echo "unknown workload: $workload (single, batch, small)" >&2; exit 2 ;;
esac
mkdir -p build/bench
node bench/make_batch.mjs build/bench >/dev/null

case "$what" in
  native)
    bash scripts/build.sh native >/dev/null
    export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=134217728  # as bench/run.mjs
    perf record -q -e cpu-clock --call-graph dwarf,16384 -F 1500 -o build/bench/perf.data \
      build/native/core_bench build/bench/config.json "$iterations" "$workload:$path:1:build/bench/$workload.json" >/dev/null
    echo "inclusive time (perf report -i build/bench/perf.data for the rest):"
    perf report -i build/bench/perf.data --children --sort symbol -g none 2>/dev/null | grep -E '^ +[0-9]' | grep ' ajs::\| boost::json::parse ' | head -40
    ;;
  wasm)
    bash scripts/build.sh wasi >/dev/null
    mkdir -p build/wasm-profile
    # The wasi link line (CMake's), names kept: the same code as the shipped module's.
    link=$(sed -e 's| -Wl,--strip-all| -Wl,--strip-debug|' -e 's| -o ajs_edge.wasm | -o ../wasm-profile/ajs_edge.wasm |' build/wasi/CMakeFiles/ajs_edge.dir/link.txt)
    (cd build/wasi && eval "$link")
    node bench/profile_wasm.mjs build/wasm-profile/ajs_edge.wasm "$workload" | c++filt
    ;;
  worker)
    bash scripts/build.sh wasi >/dev/null
    node bench/profile_worker.mjs "$workload"
    ;;
  process)
    bash scripts/build.sh wasi >/dev/null
    node bench/profile_process.mjs "$workload"
    ;;
  *) echo "usage: scripts/profile.sh native|wasm|worker|process [single|batch|small]" >&2; exit 2 ;;
esac
