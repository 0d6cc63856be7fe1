#!/usr/bin/env bash
# Builds the core. Usage: scripts/build.sh [wasi] [emscripten] [native]   (default: wasi emscripten)
# The wasm modules are copied to build/wasm/, where the Worker imports them.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten needs node-acorn from there
jobs=${AJS_BUILD_JOBS:-2}

configure() { [ -f "build/$1/CMakeCache.txt" ] || cmake --preset "$1" >/dev/null; }

mkdir -p build/wasm
for target in "${@:-wasi emscripten}"; do
  for t in $target; do
    case "$t" in
      wasi)
        configure wasi && cmake --build build/wasi -j"$jobs" --target ajs_edge
        cp build/wasi/ajs_edge.wasm build/wasm/ajs_edge.wasm ;;
      emscripten)
        configure emscripten && cmake --build build/emscripten -j"$jobs" --target ajs_edge
        cp build/emscripten/ajs_edge.wasm build/wasm/ajs_edge_emscripten.wasm ;;
      native)
        configure native && cmake --build build/native -j"$jobs" ;;
      *) echo "unknown build target: $t" >&2; exit 2 ;;
    esac
  done
done
