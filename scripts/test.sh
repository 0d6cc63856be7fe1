#!/usr/bin/env bash
# Installs what the project needs, then runs every test: native unit tests (ctest), the Worker
# in real workerd (node --test + Miniflare), the real clients end to end
# (wrangler dev + Chromium + analytics-node, tests/e2e/), and a fuzz smoke run.
# Usage: scripts/test.sh            (AJS_FUZZ_SECONDS=60 by default; 0 skips the fuzz run)
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
fuzz_seconds=${AJS_FUZZ_SECONDS:-60}
logs=build/test-logs
bash scripts/install-deps.sh
mkdir -p "$logs"

step() { printf '\n== %s\n' "$*"; }
# A test that hangs (a loop in the core that never ends, say) is stopped and reported by name
# after 5 minutes instead of holding the run until CI's own limit; node --test counts it
# "cancelled" and exits 1. The limit holds for a whole test file too (its process is stopped), and
# each step's files together take about 3.5 minutes on the project's 2-core machine.
test_timeout_ms=300000

step "type check of the Worker's JavaScript and the pages' (tsc, // @ts-check)"
npx tsc -p tsconfig.json
npx tsc -p tsconfig.browser.json

step "C++ formatting (.clang-format; fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format-14 -i)"
git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format-14 --dry-run -Werror

step "native build + unit tests (ctest)"
bash scripts/build.sh native
(cd build/native && ctest --output-on-failure -j2) 2>&1 | tee "$logs/ctest.txt"

step "wasm builds (wasi, emscripten)"
bash scripts/build.sh wasi emscripten
ls -l build/wasm/*.wasm

step "node and workerd tests (node --test; the suites run on wasi, build_parity.test.mjs compares both wasm builds and the native one)"
node --test --test-timeout=$test_timeout_ms --test-reporter=spec tests/core/ tests/worker/ tests/destinations/ tests/delivery/ tests/durable/ tests/scripts/ tests/fakes/ tests/fidelity/ bench/js_baseline.test.mjs 2>&1 | tee "$logs/node.txt"

step "end to end: analytics.js in Chromium, analytics-node, the demo page (wrangler dev, one file at a time)"
node scripts/build-assets.mjs  # what scripts/dev.sh builds before wrangler dev
node --test --test-timeout=$test_timeout_ms --test-concurrency=1 --test-reporter=spec tests/e2e/ 2>&1 | tee "$logs/e2e.txt"

if [ "$fuzz_seconds" != "0" ]; then
  step "fuzz smoke run (${fuzz_seconds}s)"
  bash scripts/fuzz.sh "$fuzz_seconds" 2>&1 | tee "$logs/fuzz.txt"
fi

# One closing line for the whole run.
c_pass=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$logs/ctest.txt" | awk '{print $1-$2}')
c_fail=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of.*/\1/p' "$logs/ctest.txt")
n_pass=$(sed -n 's/^ℹ pass \([0-9]*\)/\1/p' "$logs/node.txt" | tail -1)
n_fail=$(sed -n 's/^ℹ fail \([0-9]*\)/\1/p' "$logs/node.txt" | tail -1)
e_pass=$(sed -n 's/^ℹ pass \([0-9]*\)/\1/p' "$logs/e2e.txt" | tail -1)
e_fail=$(sed -n 's/^ℹ fail \([0-9]*\)/\1/p' "$logs/e2e.txt" | tail -1)
printf '\n%s passed, %s failed\n' "$(( ${c_pass:-0} + ${n_pass:-0} + ${e_pass:-0} ))" "$(( ${c_fail:-0} + ${n_fail:-0} + ${e_fail:-0} ))"
