#!/usr/bin/env bash
# Mutation testing of the host's delivery, ledger and outcome code (stryker.config.mjs; issue #11).
# Reported, not part of scripts/test.sh's pass/fail. Results per file: TESTING.md.
# Usage: scripts/mutate-host.sh [stryker options, e.g. --mutate host-shims/delivery/outcome.mjs]
#   STRYKER_CONCURRENCY=n   test runs at once (default 1)
# Report: build/mutation/host-shims.html and .json; log: build/mutation/host-shims.log.
#
# `scripts/mutate-host.sh --run-tests` is the command Stryker runs once per mutant (in its sandbox,
# __STRYKER_ACTIVE_MUTANT__ naming the mutant): the plain-Node test files first, then the
# workerd one only if they pass. A mutant of a Durable Object (ledger_do.mjs, payloads_do.mjs,
# which import cloudflare:workers and load only in workerd) goes straight to the workerd tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--run-tests" ]; then
  unit=(tests/delivery/delivery_unit.test.mjs tests/delivery/delivery_hardening_unit.test.mjs tests/delivery/call_log.test.mjs)
  workerd=(tests/durable/delivery_ledger.test.mjs)
  mutant=${__STRYKER_ACTIVE_MUTANT__:-}
  in_file=""
  if [ -n "$mutant" ]; then
    in_file=$(grep -rl "stryMutAct_9fa48(\"$mutant\")" host-shims/ || true)
  fi
  case "$in_file" in
    */ledger_do.mjs | */payloads_do.mjs) exec node --test --test-reporter=dot "${workerd[@]}" ;;
    *) node --test --test-reporter=dot "${unit[@]}" || exit 1
       exec node --test --test-reporter=dot "${workerd[@]}" ;;
  esac
fi

export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
mkdir -p build/mutation
started=$(date +%s)
nice -n 5 npx stryker run stryker.config.mjs --concurrency "${STRYKER_CONCURRENCY:-1}" "$@" 2>&1 | tee build/mutation/host-shims.log
echo "mutation run: $(( $(date +%s) - started )) s"
# The per-file table of TESTING.md, from the JSON report.
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  const { files } = JSON.parse(readFileSync("build/mutation/host-shims.json", "utf8"));
  console.log("| file | mutants | killed | survived | timeout | no coverage | score |\n|---|---:|---:|---:|---:|---:|---:|");
  for (const [file, { mutants }] of Object.entries(files).sort()) {
    const n = (s) => mutants.filter((m) => m.status === s).length;
    const valid = mutants.length - n("CompileError") - n("RuntimeError") - n("Ignored");
    const score = valid ? (100 * (n("Killed") + n("Timeout")) / valid).toFixed(1) : "–";
    console.log(`| ${file} | ${valid} | ${n("Killed")} | ${n("Survived")} | ${n("Timeout")} | ${n("NoCoverage")} | ${score} % |`);
  }'

