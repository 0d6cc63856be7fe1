#!/usr/bin/env node
// The hand-made mutations of issue #11, each applied alone to a copy of the tree: every one must
// be caught by the tests where its rule lives. Reported, not part of the test command.
//   node tests/mutation/hand_mutations.mjs [name-substring]
// Core mutations rebuild the native unit tests (in build/hand-mutations/, incrementally); host
// mutations run the named node test files. Exit 1 if a mutation survives.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const work = join(root, "build/hand-mutations");
const tree = join(work, "tree");
const native = join(work, "native");

const CORE = "native unit tests";
const DELIVERY = ["tests/delivery/delivery_unit.test.mjs", "tests/durable/delivery_ledger.test.mjs"];

// name, file, what is replaced (a string, or a RegExp with /g for every occurrence), by what, where caught.
const MUTATIONS = [
  ["preflight stops allowing content-encoding", "src/handler.cpp",
    '"authorization, content-type, content-encoding, x-retry-count"', '"authorization, content-type, x-retry-count"', CORE],
  ["Gainsight whitelist: Cyrillic no longer lower-cased", "src/destinations/gainsight/js_lower_case.cpp",
    "{0x0410, 0x042F, step::shift, 0x20}", "{0x0410, 0x042F, step::shift, 0}", CORE],
  ["Gist identify: context.traits.email before traits.email", "src/destinations/gist/gist_mapping.cpp",
    '{email_field, {"traits.email", "context.traits.email"}, email}', '{email_field, {"context.traits.email", "traits.email"}, email}', CORE],
  ["ledger: a replay re-sends delivered calls", "host-shims/durable/ledger_do.mjs",
    "(row.state === FAILED && replay)", "(row.state !== LEASED && replay)", DELIVERY],
  ["a duplicate of a permanently failed call is re-sent", "host-shims/delivery/consume_queue.mjs",
    'if (claim.state === "delivered" || claim.state === "failed") {', 'if (claim.state === "delivered") {', DELIVERY],
  ["batch item limit raised by 256 bytes", "src/ingest/ingest.cpp",
    /limits::event_bytes - /g, "limits::event_bytes + 256 - ", CORE],
  ["deflate support removed", "host-shims/worker/body.mjs",
    'encoding === "gzip" || encoding === "deflate"', 'encoding === "gzip"', ["tests/worker/body.test.mjs"]],
  ["Cache-Control changed", "src/handler.cpp",
    '"public, max-age=300, stale-while-revalidate=3600"', '"public, max-age=600, stale-while-revalidate=3600"', CORE],
  ["depth limit 64 → 61", "src/ingest/limits.hpp", "json_depth = 64;", "json_depth = 61;", CORE],
  ["source apiHost ignored", "src/settings/settings_document.cpp",
    "if (!source.api_host.empty()) return {source.api_host, false, true};", "", CORE],
  ["408 treated as permanent", "host-shims/delivery/outcome.mjs", "status === 408 || ", "", DELIVERY],
  ["settings preflight demands a listed origin", "src/handler.cpp",
    "(ep.kind == endpoint_kind::settings || cfg.any_source_allows_origin(meta.origin))", "cfg.any_source_allows_origin(meta.origin)", CORE],
  ["(control) any origin allowed in preflight", "src/handler.cpp",
    "!meta.origin.empty() && (ep.kind == endpoint_kind::settings", "true || (ep.kind == endpoint_kind::settings", CORE],
  ["(control) whitelist applied to group", "src/destinations/gainsight/gainsight.cpp",
    "e.type == event_type::track && !whitelist_", "e.type != event_type::identify && !whitelist_", CORE],
  ["(control) 32 KB off by one", "src/ingest/limits.hpp", "event_bytes = 32 * 1024;", "event_bytes = 32 * 1024 + 1;", CORE],
];

function copyTree() {
  rmSync(tree, { recursive: true, force: true });
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(root, f))) continue;
    mkdirSync(dirname(join(tree, f)), { recursive: true });
    cpSync(join(root, f), join(tree, f));
  }
  cpSync(join(root, "build/wasm"), join(tree, "build/wasm"), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(tree, "node_modules"));
}

function run(cmd, argv, cwd) {
  const r = spawnSync(cmd, argv, { cwd, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function nativeTests() {
  if (!existsSync(join(native, "build.ninja"))) {
    execFileSync("cmake", ["-S", tree, "-B", native, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g0",
      "-DCMAKE_C_COMPILER=clang-14", "-DCMAKE_CXX_COMPILER=clang++-14"], { stdio: "ignore" });
  }
  const build = run("ninja", ["unit_tests"], native);
  if (!build.ok) return { ok: false, output: `build failed\n${build.output.slice(-2000)}` };
  return run(join(native, "unit_tests"), ["--minimal"], native);
}

const runTests = (tests) => (tests === CORE ? nativeTests() : run("node", ["--test", ...tests], tree));

const filter = process.argv[2] ?? "";
copyTree();
const baseline = new Set([...MUTATIONS.filter(([name]) => name.includes(filter)).map((m) => m[4])].map((t) => JSON.stringify(t)));
for (const t of baseline) {
  const r = runTests(JSON.parse(t));
  if (!r.ok) throw new Error(`the unmutated tree fails ${t}:\n${r.output.slice(-3000)}`);
}
let survived = 0;
for (const [name, file, from, to, tests] of MUTATIONS) {
  if (!name.includes(filter)) continue;
  const path = join(tree, file);
  const original = readFileSync(path, "utf8");
  const mutated = original.replace(from, to);
  if (mutated === original) throw new Error(`${name}: ${file} no longer contains ${from}; update this table`);
  writeFileSync(path, mutated);
  const r = runTests(tests);
  writeFileSync(path, original);
  if (r.ok) survived++;
  console.log(`${r.ok ? "SURVIVED" : "caught  "}  ${name}  (${file}; ${tests === CORE ? CORE : tests.join(" ")})`);
}
if (baseline.has(JSON.stringify(CORE))) nativeTests(); // leave the copy built unmutated
console.log(survived ? `${survived} mutation(s) survived` : "every mutation was caught");
process.exit(survived ? 1 : 0);
