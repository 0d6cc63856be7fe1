// scripts/deploy.sh with a stand-in for wrangler (WRANGLER): it creates exactly the queues
// wrangler.toml names that the account lacks, then deploys with the caller's arguments; a dry run
// touches no account; an account it cannot read stops it before any deploy; a config the Worker
// would refuse, or none, stops it before the account is touched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

// A fake wrangler: appends its arguments to calls.txt; `queues list` prints `listing` (or fails).
function deploy(args, { listing, listFails = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "ajs-deploy-"));
  try {
    const fake = join(dir, "wrangler");
    writeFileSync(fake, `#!/usr/bin/env bash
echo "$*" >> "${dir}/calls.txt"
if [ "$1 $2" = "queues list" ]; then
  ${listFails ? 'echo "Not logged in" >&2; exit 1' : `cat <<'LIST'\n${listing}\nLIST`}
fi
`);
    chmodSync(fake, 0o755);
    const env = { ...process.env, WRANGLER: fake };
    delete env.AJS_EDGE_CONFIG;
    const r = spawnSync("bash", ["scripts/deploy.sh", ...args], { cwd: root, env, encoding: "utf8", timeout: 300_000 });
    let calls = [];
    try {
      calls = readFileSync(join(dir, "calls.txt"), "utf8").trim().split("\n");
    } catch {}
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A config the Worker loads: one source, printing its events (no secret to set).
const config = 'AJS_EDGE_CONFIG:{"sources":[{"writeKey":"wk","destinations":{"capture":{}}}]}';

// What `wrangler queues list` prints: a table, one queue a row.
const table = (...names) => ["┌──┬──┐", "│ id │ name │", ...names.map((n, i) => `│ ${i} │ ${n} │`), "└──┴──┘"].join("\n");

test("deploy.sh creates the missing queue only, then deploys with the caller's arguments", () => {
  const r = deploy(["--var", config], { listing: table("ajs-edge-delivery", "other-queue") });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.calls, ["queues list", "queues create ajs-edge-delivery-dlq", `deploy --var ${config}`]);
  assert.match(r.stdout, /deploy: queue ajs-edge-delivery exists/);
});

test("deploy.sh tells ajs-edge-delivery from ajs-edge-delivery-dlq: with only the latter, it creates the former", () => {
  const r = deploy(["--var", config], { listing: table("ajs-edge-delivery-dlq") });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.calls, ["queues list", "queues create ajs-edge-delivery", `deploy --var ${config}`]);
});

test("deploy.sh --dry-run touches no account", () => {
  const r = deploy(["--dry-run", "--outdir", "build/deploy-dry"], { listFails: true });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.calls, ["deploy --dry-run --outdir build/deploy-dry"]);
});

test("deploy.sh stops before deploying when it cannot list the account's queues", () => {
  const r = deploy(["--var", config], { listFails: true });
  assert.equal(r.status, 1);
  assert.deepEqual(r.calls, ["queues list"]);
  assert.match(r.stderr, /could not list the account's queues \(run 'npx wrangler login' first\)/);
});

test("deploy.sh stops before touching the account when the config does not load, naming the field", () => {
  const r = deploy(["--var", 'AJS_EDGE_CONFIG:{"sources":[{"writeKey":"wk","destinations":{"gist":{"apiKey":"sk_live"}}}]}'], { listing: table() });
  assert.equal(r.status, 1);
  assert.deepEqual(r.calls, []);
  assert.match(r.stderr, /check-config: AJS_EDGE_CONFIG from --var AJS_EDGE_CONFIG:… does not load:\n  sources\[0\]\.destinations\.gist\.apiKey: must be \{"secret": "BINDING_NAME"\}/);
});

test("deploy.sh without a config stops before touching the account, and says how to pass one", () => {
  const r = deploy([], { listing: table() });
  assert.equal(r.status, 1);
  assert.deepEqual(r.calls, []);
  assert.match(r.stderr, /no AJS_EDGE_CONFIG for the deploy: .*\n  Pass it: bash scripts\/deploy.sh --var AJS_EDGE_CONFIG:"\$\(cat my-config.json\)"/);
});
