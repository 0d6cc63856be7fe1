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

test("the wasi build compiles the request path with the training run's counts (remapped to libc++'s names)", () => {
  const commands = JSON.parse(readFileSync(`${root}build/wasi/compile_commands.json`, "utf8"));
  const dir = mkdtempSync(`${tmpdir()}/ajs-pgo-`);
  try {
    for (const [file, functions] of Object.entries(HOT)) {
      const entry = commands.find((c) => c.file === `${root}${file}`);
      assert.ok(entry, `${file}: not in the wasi build`);
      assert.match(entry.command, /-fprofile-instr-use=\S*build\/pgo\/core\.profdata/, `${file}: compiled without the profile`);
      const out = `${dir}/${file.replaceAll("/", "_")}.ll`;
      const command = `${entry.command.replace(/ -o \S+/, ` -o ${out}`)} -S -emit-llvm`;
      execFileSync("sh", ["-c", command], { cwd: entry.directory, stdio: ["ignore", "ignore", "inherit"] });
      const counts = entryCounts(readFileSync(out, "utf8"));
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
