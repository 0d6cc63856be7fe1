#!/usr/bin/env bash
# Builds the core. Usage: scripts/build.sh [wasi] [emscripten] [native] [native-profiled]   (default: wasi emscripten)
# The wasm modules are copied to build/wasm/, where the Worker imports them.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten needs node-acorn from there
jobs=${AJS_BUILD_JOBS:-2}

configure() { [ -f "build/$1/CMakeCache.txt" ] || cmake --preset "$1" >/dev/null; }

# The wasi module's profile (wasm/pgo/README.md): the native build, instrumented, runs the training
# calls. Skipped when neither that build nor the calls changed since the last run; the counts
# replace build/pgo/core.profdata only when they differ, so an unchanged core is not compiled
# again. Without address randomization the run is deterministic (Boost.JSON salts its object hash
# tables with addresses). Each run works in a folder of its own: builds may run side by side.
train_profile() {
  configure pgo-train && cmake --build build/pgo-train -j"$jobs" --target abi_host
  mkdir -p build/pgo
  local run
  run=$(mktemp -d build/pgo/run.XXXXXX)
  node wasm/pgo/train.mjs "$run/calls.bin"
  if [ build/pgo-train/abi_host -ot build/pgo/trained ] && cmp -s "$run/calls.bin" build/pgo/calls.bin; then
    rm -rf "$run"
    return
  fi
  local host=(build/pgo-train/abi_host)
  setarch -R true 2>/dev/null && host=(setarch -R "${host[@]}")
  LLVM_PROFILE_FILE="$run/abi_host.profraw" "${host[@]}" < "$run/calls.bin" > /dev/null
  llvm-profdata-14 merge -o "$run/core.profdata" "$run/abi_host.profraw"
  cmp -s "$run/core.profdata" build/pgo/core.profdata || mv "$run/core.profdata" build/pgo/core.profdata
  mv "$run/calls.bin" build/pgo/calls.bin
  touch build/pgo/trained
  rm -rf "$run"
}

mkdir -p build/wasm
for target in "${@:-wasi emscripten}"; do
  for t in $target; do
    case "$t" in
      wasi)
        train_profile && configure wasi && cmake --build build/wasi -j"$jobs" --target ajs_edge
        cp build/wasi/ajs_edge.wasm build/wasm/ajs_edge.wasm ;;
      emscripten)
        configure emscripten && cmake --build build/emscripten -j"$jobs" --target ajs_edge
        cp build/emscripten/ajs_edge.wasm build/wasm/ajs_edge_emscripten.wasm ;;
      native)
        configure native && cmake --build build/native -j"$jobs" ;;
      native-profiled)  # the benchmark's native row built as the wasi module is (CMakeLists.txt AJS_PGO_USE)
        train_profile && configure native-profiled && cmake --build build/native-profiled -j"$jobs" --target core_bench ;;
      *) echo "unknown build target: $t" >&2; exit 2 ;;
    esac
  done
done
