// Mutation testing of the host's delivery, ledger and outcome code (issue #11). Reported, not part
// of the pass/fail of scripts/test.sh: run scripts/mutate-host.sh; results in TESTING.md.
// Stryker copies the project into .stryker-tmp/, instruments every mutant at once and runs the
// command once per mutant with __STRYKER_ACTIVE_MUTANT__ set; a failing command kills the mutant.
// Modules that run inside workerd see that variable through tests/support/harness.mjs.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    "host-shims/delivery/consume_queue.mjs",
    "host-shims/delivery/deliver_queue.mjs",
    "host-shims/delivery/deliver_inline.mjs",
    "host-shims/delivery/chain.mjs",
    "host-shims/delivery/send.mjs",
    "host-shims/delivery/outcome.mjs",
    "host-shims/delivery/call_log.mjs",
    "host-shims/durable/ledger.mjs",
    "host-shims/durable/ledger_do.mjs",
    "host-shims/durable/payloads.mjs",
    "host-shims/durable/payloads_do.mjs",
    "host-shims/delivery/delivery_config.mjs",
  ],
  testRunner: "command",
  // Per mutant: only the fast tests of these modules (two files in plain Node, then one in workerd
  // with the real Durable Objects); the script says which run for which file. The slow end-to-end
  // delivery tests (delivery_queue, delivery_faults) are left out.
  commandRunner: { command: "bash scripts/mutate-host.sh --run-tests" },
  coverageAnalysis: "off", // the command runner cannot tell which test covers which mutant
  concurrency: 1, // scripts/mutate-host.sh: STRYKER_CONCURRENCY
  timeoutMS: 20_000, // generous: a loaded machine must not turn a survivor into a "timeout"
  // Not copied into the sandbox: builds, the C++ side, fuzzing, reports (build/wasm is needed:
  // delivery_unit.test.mjs loads the core).
  ignorePatterns: ["/build/*", "!/build/wasm", "/dist", "/fuzz", "/src", "/site", "/cmake", "/wasm", "/.wrangler", "/reports", "/tests/e2e", "/tests/artifacts", "/bench/results"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "build/mutation/host-shims.html" },
  jsonReporter: { fileName: "build/mutation/host-shims.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
