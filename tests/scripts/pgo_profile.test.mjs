// The wasi module is profile-guided (wasm/pgo/README.md): its request path is compiled with the
// counts of the training run. Checked where it can silently stop: each file below compiled again
// exactly as the wasi build compiles it (build/wasi/compile_commands.json), its LLVM IR must give
// the named functions an entry count above zero. A function without one kept no profile: the
// remapping of libstdc++'s names to libc++'s no longer matches it (e.g. after a toolchain
// upgrade), the training run no longer reaches it, or the build lost the profile altogether.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

// File → functions of the request path in it (demangled names, up to the parameter list).
const HOT = {
  "src/handler.cpp": ["ajs::handle_request"],
  "src/ingest/normalize.cpp": ["ajs::normalize_message"],
  "src/json/parse_json.cpp": ["ajs::json::parse"],
  "src/json/write_json.cpp": ["ajs::json::write_json_string"],
  "src/destinations/gist/gist_mapping.cpp": ["ajs::gist::contact_body", "ajs::gist::event_body"],
  "src/destinations/gainsight/gainsight.cpp": ["ajs::(anonymous namespace)::gainsight::plan"],
  "src/plan/queue_messages.cpp": ["ajs::write_queue_messages"],
  "src/plan/plan_writer.cpp": ["ajs::plan_writer::text"],
};

// The entry count of each function defined in an LLVM IR text: {demangled signature: count or null}.
function entryCounts(ir) {
  const counts = new Map();
  for (const m of ir.matchAll(/^(!\d+) = !\{!"function_entry_count", i64 (\d+)\}/gm)) counts.set(m[1], Number(m[2]));
  const defined = [...ir.matchAll(/^define [^@]*@("?)([^"(\s]+)\1\(.*\{$/gm)];
  const names = execFileSync("c++filt", { input: defined.map((d) => d[2]).join("\n") }).toString().split("\n");
  return new Map(defined.map((d, i) => [names[i], counts.get(/ !prof (!\d+)/.exec(d[0])?.[1] ?? "") ?? null]));
}

// `file` compiled exactly as the wasi build compiles it, as LLVM IR text in `dir`.
function compileIR(file, dir) {
  const commands = JSON.parse(readFileSync(`${root}build/wasi/compile_commands.json`, "utf8"));
  const entry = commands.find((c) => c.file === `${root}${file}`);
  assert.ok(entry, `${file}: not in the wasi build`);
  assert.match(entry.command, /-fprofile-instr-use=\S*build\/pgo\/core\.profdata/, `${file}: compiled without the profile`);
  const out = `${dir}/${file.replaceAll("/", "_")}.ll`;
  const command = `${entry.command.replace(/ -o \S+/, ` -o ${out}`)} -S -emit-llvm`;
  execFileSync("sh", ["-c", command], { cwd: entry.directory, stdio: ["ignore", "ignore", "inherit"] });
  return readFileSync(out, "utf8");
}

test("the wasi build compiles the request path with the training run's counts (remapped to libc++'s names)", () => {
  const dir = mkdtempSync(`${tmpdir()}/ajs-pgo-`);
  try {
    for (const [file, functions] of Object.entries(HOT)) {
      const counts = entryCounts(compileIR(file, dir));
      for (const name of functions) {
        const found = [...counts].filter(([signature]) => signature.startsWith(`${name}(`));
        assert.ok(found.length > 0, `${file}: ${name} is not defined there`);
        for (const [signature, count] of found) assert.ok(count > 0, `${file}: ${signature} has no entry count from the profile (${count})`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Value profiling (wasm/wasm.cmake): Boost.JSON allocates through a virtual call
// (memory_resource::allocate), and the profile names its target at each call site, the request's
// arena, so that LTO makes it a direct call. Lost when the training or the wasi build drops
// -enable-value-profiling, or when the training stops allocating in the arena.
test("the wasi build knows the target of Boost.JSON's virtual allocation calls from the profile", () => {
  const dir = mkdtempSync(`${tmpdir()}/ajs-pgo-`);
  try {
    const ir = compileIR("src/json/boost_json_impl.cpp", dir); // Boost.JSON's compiled part
    // LLVM's name for a function in a profile: the first 8 bytes of the MD5 of its name.
    const arena = createHash("md5").update("_ZN3ajs4json5arena11do_allocateEmm").digest().readBigInt64LE(0);
    // !{!"VP", i32 0 (indirect call targets), i64 <calls>, i64 <target>, i64 <its calls>, …}
    const sites = [...ir.matchAll(/^!\d+ = !\{!"VP", i32 0, i64 (\d+), i64 (-?\d+), i64 (\d+)/gm)];
    const hot = sites.filter((m) => BigInt(m[2]) === arena && Number(m[3]) >= 1000);
    assert.ok(hot.length > 0, `no call site with the arena as its counted target (${sites.length} value-profiled sites)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
