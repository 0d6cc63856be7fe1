#!/usr/bin/env bash
# All benchmarks (not part of pass/fail): native, both wasm builds in Node and in workerd, and
# the plain-JS baseline, on the same ~500 KB analytics.js batch. Results: build/bench/results.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh native native-profiled wasi emscripten >/dev/null
node bench/run.mjs
