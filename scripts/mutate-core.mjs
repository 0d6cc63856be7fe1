#!/usr/bin/env node
// Mutation testing of the C++ core (issue #11): applies one small mutation at a time to a copy of
// src/, rebuilds the native unit tests incrementally, runs them, and lists the mutants no test
// killed. Reported, not part of the test command's pass/fail. TESTING.md has the latest scores.
//
//   node scripts/mutate-core.mjs [--module src/ingest …] [--file src/x/y.cpp …] [--list]
//   node scripts/mutate-core.mjs --again    only the last report's survivors, against the tests
//                                           as they are now (after writing a test that kills them)
//   node scripts/mutate-core.mjs --resume [same selection]   go on with a run that was stopped
//
// The work happens in build/mutate/ (a copy of the tree; the real src/ is never touched, so tests
// and builds may run beside it). The report: build/mutate/report.md and report.json.
// Mutations, on code only (comments, strings, character literals and preprocessor lines skipped):
//   boundary    a < b ↔ a <= b, a > b ↔ a >= b
//   equality    == ↔ !=
//   logical     && ↔ ||, !x → x
//   arithmetic  + ↔ -
//   constant    an integer literal n → n + 1, true ↔ false
// A survivor that no test can kill (the program is the same) is listed, with why, in
// tests/mutation/equivalent-core.txt: one line `file | code line, trimmed | mutation | why`.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const work = join(root, "build/mutate");
const tree = join(work, "tree");
const bin = join(work, "build");
const MODULES = ["src/ingest", "src/route", "src/destinations", "src/settings", "src/http", "src/config", "src/plan", "src/json", "src/core", "src/handler.cpp"];
// Code that is not the product's logic: the Boost.JSON instantiation and its no-exceptions hook.
const SKIP_FILES = new Set(["src/json/boost_json_impl.cpp", "src/json/throw_exception.cpp"]);
const BUILD_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 20_000;

function args() {
  const out = { modules: [], files: [] };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--module") out.modules.push(argv[++i].replace(/\/$/, ""));
    else if (argv[i] === "--file") out.files.push(argv[++i]);
    else if (argv[i] === "--list") out.list = true;
    else if (argv[i] === "--again") out.again = true;
    else if (argv[i] === "--resume") out.resume = true;
    else throw new Error(`unknown argument ${argv[i]} (see the header of ${relative(root, fileURLToPath(import.meta.url))})`);
  }
  return out;
}

function sourceFiles(dir) {
  const full = join(root, dir);
  if (statSync(full).isFile()) return [dir];
  return readdirSync(full, { recursive: true })
    .filter((f) => /\.(cpp|hpp)$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

// The code of a line with comments, strings and character literals blanked out (same length, so
// columns still match the original). `state.block` carries an open /* comment across lines.
function codeOnly(line, state) {
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (state.block) {
      if (c === "*" && line[i + 1] === "/") { state.block = false; out += "  "; i++; } else out += " ";
      continue;
    }
    if (c === "/" && line[i + 1] === "/") return out + " ".repeat(line.length - i);
    if (c === "/" && line[i + 1] === "*") { state.block = true; out += "  "; i++; continue; }
    if (c === '"' || c === "'") {
      // A raw string R"(…)" is rare here and single-line; skip to the closing quote.
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += line[j] === "\\" ? 2 : 1;
      out += " ".repeat(Math.min(j, line.length - 1) - i + 1);
      i = j;
      continue;
    }
    out += c;
  }
  return out;
}

// Each rule: a regex over the blanked code and what the match becomes. Spaced operators only:
// clang-format spaces binary operators, and templates (std::vector<int>) and -> have no spaces.
const RULES = [
  { kind: "boundary", re: / < /g, to: " <= " },
  { kind: "boundary", re: / <= /g, to: " < " },
  { kind: "boundary", re: / > /g, to: " >= " },
  { kind: "boundary", re: / >= /g, to: " > " },
  { kind: "equality", re: / == /g, to: " != " },
  { kind: "equality", re: / != /g, to: " == " },
  { kind: "logical", re: / && /g, to: " || " },
  { kind: "logical", re: / \|\| /g, to: " && " },
  { kind: "logical", re: /!(?=[A-Za-z_(])/g, to: "" },
  { kind: "arithmetic", re: / \+ /g, to: " - " },
  { kind: "arithmetic", re: / - /g, to: " + " },
  { kind: "constant", re: /\btrue\b/g, to: "false" },
  { kind: "constant", re: /\bfalse\b/g, to: "true" },
  { kind: "constant", re: /(?<![\w.'])(\d+)(?:u|U|ul|UL|ull|ULL|z)?(?![\w.'])/g, to: (m) => m.replace(/^\d+/, (n) => String(BigInt(n) + 1n)) },
];

function mutantsOf(file) {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const state = { block: false };
  const out = [];
  lines.forEach((line, index) => {
    const code = codeOnly(line, state);
    const trimmed = code.trim();
    if (trimmed.startsWith("#") || trimmed.startsWith("static_assert") || trimmed.startsWith("namespace ") ||
        /\b(include|template|operator|alignas)\b/.test(code)) return;
    for (const rule of RULES) {
      for (const m of code.matchAll(rule.re)) {
        const replacement = typeof rule.to === "function" ? rule.to(m[0]) : rule.to;
        const mutated = line.slice(0, m.index) + replacement + line.slice(m.index + m[0].length);
        out.push({ file, line: index + 1, kind: rule.kind, original: line.trim(), mutated: mutated.trim(), text: mutated, from: m[0].trim() || m[0], to: replacement.trim() || "(removed)" });
      }
    }
  });
  return out;
}

function loadEquivalents() {
  const path = join(root, "tests/mutation/equivalent-core.txt");
  if (!existsSync(path)) return new Map();
  const map = new Map();
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    if (!raw.trim() || raw.startsWith("#")) continue;
    const [file, code, mutation, why] = raw.split(" | ").map((s) => s?.trim());
    map.set(`${file} | ${code} | ${mutation}`, why ?? "");
  }
  return map;
}
const equivalenceKey = (m) => `${m.file} | ${m.original} | ${m.from} → ${m.to}`;

function run(cmd, argv, timeout, cwd = bin) {
  const r = spawnSync(cmd, argv, { cwd, timeout, encoding: "utf8", maxBuffer: 64 << 20 });
  return { ok: r.status === 0 && !r.error, timedOut: r.error?.code === "ETIMEDOUT", output: `${r.stdout}${r.stderr}` };
}

function prepare() {
  // A copy of what the native build reads; configured once (-O0: each mutant recompiles one file).
  mkdirSync(tree, { recursive: true });
  for (const p of ["CMakeLists.txt", "cmake", "src", "tests/unit", "bench", "fuzz/fuzz.cmake", "fuzz/fuzz_handle.cpp", "wasm"]) {
    rmSync(join(tree, p), { recursive: true, force: true });
    cpSync(join(root, p), join(tree, p), { recursive: true });
  }
  // Each mutant recompiles one file: the Boost.JSON headers precompiled, no optimiser, no debug info.
  writeFileSync(join(tree, "CMakeLists.txt"), `${readFileSync(join(tree, "CMakeLists.txt"), "utf8")}
target_precompile_headers(ajs_core PRIVATE <boost/json/value.hpp> <boost/json/object.hpp> <boost/json/parse.hpp>
                                           <boost/json/serialize.hpp> <string> <string_view> <vector>)
`);
  if (!existsSync(join(bin, "build.ninja"))) {
    execFileSync("cmake", ["-S", tree, "-B", bin, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g0",
      "-DCMAKE_C_COMPILER=clang-14", "-DCMAKE_CXX_COMPILER=clang++-14"], { stdio: "ignore" });
  }
  const build = run("ninja", ["unit_tests"], BUILD_TIMEOUT_MS * 5);
  if (!build.ok) throw new Error(`the unmutated tree does not build:\n${build.output.slice(-3000)}`);
  const tests = run(join(bin, "unit_tests"), [], TEST_TIMEOUT_MS);
  if (!tests.ok) throw new Error(`the unmutated unit tests fail:\n${tests.output.slice(-3000)}`);
}

function moduleOf(file) {
  return MODULES.find((m) => file === m || file.startsWith(`${m}/`)) ?? file;
}

// Round-robin over files, a few mutants of each per round: a run stopped early (a session ends)
// has still sampled every file, and --resume goes on from there. Within a round the mutants of
// one file stay together, so a file switch costs one extra compile per ROUND_SIZE mutants.
const ROUND_SIZE = 8;
function interleave(mutants) {
  const byFile = new Map();
  for (const m of mutants) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
  const out = [];
  for (let round = 0; out.length < mutants.length; round++)
    for (const list of byFile.values()) out.push(...list.slice(round * ROUND_SIZE, (round + 1) * ROUND_SIZE));
  return out;
}

function main() {
  const { modules, files, list, again, resume } = args();
  const last = again || resume ? JSON.parse(readFileSync(join(work, "report.json"), "utf8")) : { results: [] };
  const previous = last.results;
  // --again and --resume keep the last run's selection unless given one.
  const chosen = modules.length || files.length ? [...modules.flatMap(sourceFiles), ...files]
    : last.selection ?? MODULES.flatMap(sourceFiles);
  const targets = chosen.filter((f) => !SKIP_FILES.has(f));
  const equivalents = loadEquivalents();
  const identity = (m) => `${m.file}:${m.line}:${m.from}:${m.to}:${m.original}`;
  // Results kept from the last report: all of them (--resume), or all but the survivors (--again).
  const kept = new Map(previous.filter((r) => resume || r.status !== "survived").map((r) => [identity(r), r]));
  const all = interleave(targets.flatMap(mutantsOf));
  const reused = all.filter((m) => kept.has(identity(m))).map((m) => kept.get(identity(m)));
  const survivors = new Set(previous.filter((r) => r.status === "survived").map(identity));
  const mutants = all.filter((m) => !kept.has(identity(m)) && (!again || survivors.has(identity(m))));
  console.log(`${all.length} mutants in ${targets.length} files, ${mutants.length} to run`);
  if (list) {
    for (const m of mutants) console.log(`${m.file}:${m.line} ${m.kind} ${m.from} → ${m.to}   ${m.original}`);
    return;
  }
  prepare();
  const started = Date.now();
  const results = [...reused];
  const command = process.argv.slice(2).join(" ");
  const selection = targets;
  for (const [i, m] of mutants.entries()) {
    const path = join(tree, m.file);
    const original = readFileSync(path, "utf8");
    const lines = original.split("\n");
    lines[m.line - 1] = m.text;
    writeFileSync(path, lines.join("\n"));
    let status;
    try {
      const build = run("ninja", ["unit_tests"], BUILD_TIMEOUT_MS);
      if (!build.ok) status = "compile error";
      else {
        const tests = run(join(bin, "unit_tests"), ["--minimal"], TEST_TIMEOUT_MS);
        status = tests.ok ? (equivalents.has(equivalenceKey(m)) ? "equivalent" : "survived") : tests.timedOut ? "timeout" : "killed";
      }
    } finally {
      writeFileSync(path, original);
    }
    results.push({ ...m, text: undefined, module: moduleOf(m.file), status });
    if (status === "survived") console.log(`survived ${m.file}:${m.line}  ${m.from} → ${m.to}   ${m.original}`);
    if ((i + 1) % 25 === 0) console.log(`${i + 1}/${mutants.length} (${Math.round((Date.now() - started) / 1000)} s)`);
    report(results, all.length - results.length, command, selection, equivalents, false);
  }
  run("ninja", ["unit_tests"], BUILD_TIMEOUT_MS); // leave the copy built unmutated
  report(results, all.length - results.length, command, selection, equivalents, true);
}

function report(results, pending, command, selection, equivalents, print) {
  const targets = new Set(selection);
  const byModule = new Map();
  for (const r of results) {
    const row = byModule.get(r.module) ?? { mutants: 0, killed: 0, timeout: 0, survived: 0, equivalent: 0, "compile error": 0 };
    row.mutants++;
    row[r.status]++;
    byModule.set(r.module, row);
  }
  const score = (row) => {
    const valid = row.killed + row.timeout + row.survived;
    return valid ? `${((100 * (row.killed + row.timeout)) / valid).toFixed(1)} %` : "–";
  };
  const lines = [
    `Command: \`node scripts/mutate-core.mjs ${command}\`, ${new Date().toISOString().slice(0, 10)}` +
      (pending ? `; stopped or still running: ${pending} mutants not yet run (go on with --resume)` : ""),
    "",
    "| module | mutants | killed | timeout | survived | equivalent | compile error | score |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...[...byModule].map(([m, r]) => `| ${m} | ${r.mutants} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.equivalent} | ${r["compile error"]} | ${score(r)} |`),
    "",
    "Score = (killed + timeout) / (killed + timeout + survived); equivalent mutants and those that do not compile are left out.",
    "",
    "## Survivors",
    ...results.filter((r) => r.status === "survived").map((r) => `- ${r.file}:${r.line} \`${r.from}\` → \`${r.to}\`: \`${r.original}\``),
  ];
  const stale = [...equivalents.keys()].filter((k) => targets.has(k.split(" | ")[0]) && !results.some((r) => equivalenceKey(r) === k));
  if (stale.length) lines.push("", "## Equivalents listed but not found among the mutants (stale lines?)", ...stale.map((k) => `- ${k}`));
  writeFileSync(join(work, "report.md"), `${lines.join("\n")}\n`);
  writeFileSync(join(work, "report.json"), JSON.stringify({ command, selection, pending, results }, null, 1));
  if (print) console.log(`\n${lines.join("\n")}`);
}

main();
