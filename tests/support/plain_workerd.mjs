// A Worker under plain workerd: the `workerd` binary serving a config of ours, without
// Miniflare's entry worker in front. Requests reach the Worker as workerd's HTTP server parses
// them, as in production: a body sent with Content-Length keeps it (Miniflare's entry passes
// every body on chunked), and workerd's CPU time is the Worker's and HTTP's alone.
//   const w = await startPlainWorkerd({ entry: "tests/support/body_worker.mjs" });
//   await fetch(`${w.url}/path`, …); … await w.stop();
// The modules are the entry and every module it imports (relative paths, followed from the
// sources), copied into a temporary directory under the names the imports use.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import workerd from "workerd";

const root = fileURLToPath(new URL("../../", import.meta.url));

// A free loopback port (the moment between closing it and workerd taking it is short).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    }).on("error", reject);
  });
}

// The entry and the modules it imports, by repo-relative path. Only static imports of relative
// specifiers are followed (the host shims use no other kind).
const IMPORT = /(?:^|[;\s])(?:import|export)\s+(?:[^;"'`]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm;
function moduleGraph(entry) {
  const seen = new Set();
  const queue = [normalize(entry)];
  while (queue.length > 0) {
    const name = queue.pop();
    if (seen.has(name)) continue;
    if (!existsSync(join(root, name))) throw new Error(`plain workerd: module ${name} not found`);
    seen.add(name);
    if (!name.endsWith(".mjs") && !name.endsWith(".js")) continue;
    for (const m of readFileSync(join(root, name), "utf8").matchAll(IMPORT)) queue.push(normalize(join(dirname(name), m[1])));
  }
  return [...seen];
}

// A capnp text literal: the escapes capnp's lexer reads, the rest as UTF-8.
const capnpText = (s) => `"${s.replace(/[\\"\x00-\x1f\x7f]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;

function moduleLine(name) {
  if (name.endsWith(".wasm")) return `(name = ${capnpText(name)}, wasm = embed ${capnpText(`modules/${name}`)})`;
  return `(name = ${capnpText(name)}, esModule = embed ${capnpText(`modules/${name}`)})`;
}

// Resolves once a TCP connection to the loopback port is accepted (and closes it).
function connected(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("error", reject);
  });
}

/**
 * @param {{ entry: string, bindings?: Record<string, string>, durableObjects?: Record<string, string>,
 *   compatibilityDate?: string, inspectorPort?: number, v8Flags?: string[], readyOnSocket?: boolean }} options
 *   bindings: text bindings by name; durableObjects: binding name → exported class (SQLite-backed,
 *   in memory); inspectorPort: V8's inspector on that loopback port; v8Flags: V8's command-line
 *   flags (bench/profile_process.mjs: --perf-basic-prof, for perf to name JIT code); readyOnSocket:
 *   ready once its socket accepts a connection, so that no request has reached the Worker yet
 *   (bench/cold_start.mjs), rather than once a request to /__ready is answered.
 */
export async function startPlainWorkerd({ entry, bindings = {}, durableObjects = {}, compatibilityDate = "2025-04-01", inspectorPort, v8Flags = [], readyOnSocket = false }) {
  const dir = mkdtempSync(join(tmpdir(), "ajs-plain-workerd-"));
  const modules = moduleGraph(entry);
  for (const name of modules) {
    mkdirSync(join(dir, "modules", dirname(name)), { recursive: true });
    copyFileSync(join(root, name), join(dir, "modules", name));
  }
  const port = await freePort();
  const classes = [...new Set(Object.values(durableObjects))];
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
  v8Flags = [ ${v8Flags.map(capnpText).join(", ")} ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.map(moduleLine).join(",\n    ")} ],
  compatibilityDate = ${capnpText(compatibilityDate)},
  bindings = [ ${[
    ...Object.entries(bindings).map(([name, text]) => `(name = ${capnpText(name)}, text = ${capnpText(text)})`),
    ...Object.entries(durableObjects).map(([name, cls]) => `(name = ${capnpText(name)}, durableObjectNamespace = (className = ${capnpText(cls)}))`),
  ].join(",\n    ")} ],
  durableObjectNamespaces = [ ${classes.map((c) => `(className = ${capnpText(c)}, uniqueKey = ${capnpText(`ajs-${c}`)}, enableSql = true)`).join(", ")} ],
  durableObjectStorage = (inMemory = void),
);
`;
  writeFileSync(join(dir, "config.capnp"), config);
  const args = ["serve", join(dir, "config.capnp"), "--experimental"];
  if (inspectorPort) args.push(`--inspector-addr=127.0.0.1:${inspectorPort}`);
  const child = spawn(workerd.default ?? workerd, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  const keep = (chunk) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = null;
  const exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve((exited = { code, signal }))));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when its socket answers (any status): at most 20 s.
  for (let i = 0; ; i++) {
    if (exited) {
      await stop();
      throw new Error(`plain workerd exited (${JSON.stringify(exited)}):\n${lines.slice(-30).join("\n")}`);
    }
    try {
      if (readyOnSocket) await connected(port);
      else await (await fetch(`${url}/__ready`, { signal: AbortSignal.timeout(2000) })).arrayBuffer();
      break;
    } catch {
      if (i >= 200) {
        await stop();
        throw new Error(`plain workerd did not answer on ${url}:\n${lines.slice(-30).join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, pid: /** @type {number} */ (child.pid), stop, lines };
}
