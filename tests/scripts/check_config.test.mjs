// scripts/check-config.mjs as a person runs it, in a folder of its own (a copy of wrangler.toml and
// the .dev.vars under test): a good config passes; a bad field, invalid JSON (placed by line and
// column), a missing or malformed secret, an undeclared rate limiter and the unquoted multi-line
// .dev.vars each stop it with the fix; a deploy lists the secrets it cannot see; and the banner
// scripts/dev.sh prints says what the Worker serves. One test asks wrangler itself how it reads
// .dev.vars and [vars], so a wrangler upgrade that changes it is caught here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checkConfig, parseDotenv, servedBanner } from "../../scripts/check-config.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const script = join(root, "scripts/check-config.mjs");

const good = '{"sources":[{"writeKey":"wk_live_123","name":"Marketing site","destinations":{"gist":{"apiKey":{"secret":"GIST_API_KEY"}},"gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"}}}}]}';
const secrets = "GIST_API_KEY=your-gist-api-key\nGAINSIGHT_ACCESS_KEY=35a84f9e-7084-47a1-b8a5-593444e9e862\n";

// A folder with wrangler.toml and the given files; runs the script there with `args`.
function run(files, args = [], env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "ajs-check-config-"));
  try {
    copyFileSync(join(root, "wrangler.toml"), join(dir, "wrangler.toml"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const clean = { ...process.env };
    for (const k of ["AJS_EDGE_CONFIG", "AJS_ASSETS_PREFIX", "GIST_API_KEY", "GAINSIGHT_ACCESS_KEY", "CLOUDFLARE_INCLUDE_PROCESS_ENV"]) delete clean[k];
    const r = spawnSync(process.execPath, [script, ...args, "--", "-c", "wrangler.toml"], { cwd: dir, env: { ...clean, ...env }, encoding: "utf8", timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a one-line config in single quotes in .dev.vars, with its secrets, passes", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG='${good}'\n${secrets}` });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "check-config: AJS_EDGE_CONFIG from .dev.vars is valid: 1 source; secrets GIST_API_KEY, GAINSIGHT_ACCESS_KEY set in .dev.vars\n");
  assert.equal(r.status, 0);
});

test("the README's .dev.vars example, pasted as it is, passes", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const example = /### Locally: `\.dev\.vars`[^\n]*\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)[1];
  const r = run({ ".dev.vars": example });
  assert.equal(r.stdout, "check-config: AJS_EDGE_CONFIG from .dev.vars is valid: 1 source; secrets GIST_API_KEY, GAINSIGHT_ACCESS_KEY set in .dev.vars\n");
  assert.equal(r.status, 0);
});

test("a bad field stops it with the field, what is wrong and the README section", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG='{"sources":[{"writeKey":"wk_live_123","destinations":{"gist":{"apiKey":"sk_live_abc"}}}]}'\n` });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    [
      "check-config: AJS_EDGE_CONFIG from .dev.vars does not load:",
      '  sources[0].destinations.gist.apiKey: must be {"secret": "BINDING_NAME"} naming a Worker secret; credentials are never written in the config',
      '  The settings are explained in README.md: Configuration.',
      "",
    ].join("\n"),
  );
});

test("invalid JSON in a config file is placed by line and column", () => {
  const file = '{\n  "sources": [\n    {\n      "writeKey": "wk_live_123",\n      "destinations": { "capture": {} },\n    }\n  ]\n}\n';
  const r = run({ "my-config.json": file }, ["--config-file", "my-config.json"]);
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    [
      "check-config: AJS_EDGE_CONFIG from my-config.json does not load:",
      "  AJS_EDGE_CONFIG: not valid JSON at line 6, column 5: found '}' after a comma (JSON allows no trailing comma)",
      '  The settings are explained in README.md: Configuration.',
      "",
    ].join("\n"),
  );
});

test("invalid JSON in .dev.vars is placed in the value and in the file", () => {
  // Column 39 of the value: the "é" is one character (two bytes); the value starts at column 18.
  const r = run({ ".dev.vars": `# local only\nAJS_EDGE_CONFIG='{"sources":[{"name":"Café","writeKey":wk}]}'\n` });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr.split("\n")[1],
    "  AJS_EDGE_CONFIG: not valid JSON at line 1, column 39: found 'w' (names and strings take double quotes; true, false and null are lower case) (.dev.vars line 2, column 56)",
  );
});

test("a secret the config names but .dev.vars lacks stops it, and one set only in the shell is called out", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG='${good}'\nGAINSIGHT_ACCESS_KEY=35a84f9e-7084-47a1-b8a5-593444e9e862\n` }, [], { GIST_API_KEY: "in-the-shell" });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    [
      "check-config: AJS_EDGE_CONFIG from .dev.vars is valid (1 source), but the Worker will not load it:",
      "  sources[0].destinations.gist.apiKey: secret GIST_API_KEY is not set: add a line GIST_API_KEY=… to .dev.vars (README.md: Configuration). It is set in this shell's environment, which wrangler dev does not pass to the Worker.",
      "",
    ].join("\n"),
  );
});

test("a secret of the wrong shape stops it with the pattern, not the value", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG='${good}'\nGIST_API_KEY=k\nGAINSIGHT_ACCESS_KEY=NOT-A-KEY\n` });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr.split("\n")[1],
    '  sources[0].destinations.gainsight.accessKey: the value of secret GAINSIGHT_ACCESS_KEY in .dev.vars does not match ^[a-z0-9-]{36}$ (the destination\'s key format; README.md: Configuration)',
  );
  assert.doesNotMatch(r.stderr, /NOT-A-KEY/);
});

test("a rate limiting binding the config names must be declared in wrangler.toml", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG='{"sources":[{"writeKey":"wk","rateLimits":{"writeKey":"RATE_LIMIT_PRO"},"destinations":{"capture":{}}}]}'\n` });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr.split("\n")[1],
    '  sources[0].rateLimits.writeKey: no rate limiting binding RATE_LIMIT_PRO: declare it under [[ratelimits]] in wrangler.toml (README.md: Security)',
  );
});

test("an unquoted multi-line config in .dev.vars: what wrangler read, and how to quote it", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG={\n  "sources": [{"writeKey": "wk", "destinations": {"capture": {}}}]\n}\n` });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    [
      "check-config: AJS_EDGE_CONFIG from .dev.vars does not load:",
      '  AJS_EDGE_CONFIG: not valid JSON at line 1, column 2: the text ends before the JSON does (a closing }, ] or " is missing; in .dev.vars, a config on several lines must be in single quotes) (.dev.vars line 1, column 18)',
      "  .dev.vars line 1: AJS_EDGE_CONFIG is not quoted, and an unquoted value ends with its line: wrangler read only {, and ignored the 2 lines after it",
      "  Put the whole config in single quotes: AJS_EDGE_CONFIG='{\"sources\":[…]}' (on one line, or over several),",
      '  or keep it in a file and run: AJS_EDGE_CONFIG="$(cat my-config.json)" bash scripts/dev.sh',
      '  The settings are explained in README.md: Configuration.',
      "",
    ].join("\n"),
  );
});

test("the same config over several lines in single quotes passes", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG='{\n  "sources": [{"writeKey": "wk", "destinations": {"capture": {}}}]\n}'\n` });
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
});

test("--var wins over the environment, which wins over .dev.vars, as scripts/dev.sh passes them to wrangler", () => {
  const files = { ".dev.vars": `AJS_EDGE_CONFIG='{}'\n` };
  const env = { AJS_EDGE_CONFIG: '{"sources":[{"writeKey":"wk","destinations":{"capture":{}}}]}' };
  assert.equal(run(files, [], env).stdout, "check-config: AJS_EDGE_CONFIG from the environment (AJS_EDGE_CONFIG) is valid: 1 source\n");
  const dir = mkdtempSync(join(tmpdir(), "ajs-check-config-"));
  try {
    copyFileSync(join(root, "wrangler.toml"), join(dir, "wrangler.toml"));
    const r = spawnSync(process.execPath, [script, "--", "-c", "wrangler.toml", "--var", "AJS_EDGE_CONFIG:[]"], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.split("\n").slice(0, 2).join("\n"), "check-config: AJS_EDGE_CONFIG from --var AJS_EDGE_CONFIG:… does not load:\n  AJS_EDGE_CONFIG: must be a JSON object");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("for a deploy, .dev.vars is not read and the secrets are listed as not checked", () => {
  const r = run({ ".dev.vars": `AJS_EDGE_CONFIG='${good}'\n` }, ["--deploy"], { AJS_EDGE_CONFIG: good });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "check-config: AJS_EDGE_CONFIG from the environment (AJS_EDGE_CONFIG) is valid: 1 source",
      "check-config: secrets not checked: GIST_API_KEY, GAINSIGHT_ACCESS_KEY. A deployed Worker's secrets are kept by Cloudflare (`npx wrangler secret list` shows them);",
      "  set each once with `npx wrangler secret put NAME`. Until then the Worker answers 500 misconfigured and its log names the missing one (README.md: Deploy).",
      "",
    ].join("\n"),
  );
  const none = run({ ".dev.vars": `AJS_EDGE_CONFIG='${good}'\n` }, ["--deploy"]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^check-config: no AJS_EDGE_CONFIG for the deploy: the Worker would have no source to serve \(\.dev\.vars is local only\)\./);
});

test("without a config, local use is the demo and says so", () => {
  const r = run({});
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'check-config: no AJS_EDGE_CONFIG (not in --var, the environment, .dev.vars or [vars] of wrangler.toml): the Worker serves the built-in demo. To configure a source: README.md: Configuration.\n');
});

test("dev.sh's banner: the demo page only in demo mode; with a config, the writeKeys by prefix and the endpoints", () => {
  assert.equal(
    servedBanner({ url: "http://127.0.0.1:8787", config: null }),
    [
      'ajs-edge at http://127.0.0.1:8787: no AJS_EDGE_CONFIG, so the built-in demo source "demo-write-key", dry run (nothing is sent)',
      "  demo page      http://127.0.0.1:8787/demo/   (analytics.js from this Worker; planned calls shown live)",
      "  planned calls  http://127.0.0.1:8787/demo/calls",
      "  event tester   http://127.0.0.1:8787/tester/   (the exact calls for an event, computed in the page)",
      "  console        http://127.0.0.1:8787/console/   (ADMIN_TOKEN: counters, dead letters, live events)",
      "  preview plugin http://127.0.0.1:8787/ajs-edge/preview.js   (analytics.register(preview): planned calls in the browser console)",
    ].join("\n"),
  );
  const config = { basePath: "/collect", sources: [{ writeKey: "wk_live_123", name: "Marketing site", destinations: { gist: {}, gainsight: {} } }, { writeKey: "srv", destinations: {} }] };
  assert.equal(
    servedBanner({ url: "http://0.0.0.0:9000", config, label: ".dev.vars", assetsPrefix: "/collect" }),
    [
      "ajs-edge at http://0.0.0.0:9000: AJS_EDGE_CONFIG from .dev.vars, 2 sources (no demo page: /demo/ is for the built-in demo only)",
      '  writeKey wk_liv… "Marketing site" → gist, gainsight',
      "  writeKey srv → no destination",
      '  beacons        POST http://0.0.0.0:9000/collect/v1/t, /i, /p, /g, /a, /s, /b (analytics.js), http://0.0.0.0:9000/collect/v1/batch (analytics-node: path "/collect/v1/batch")',
      "  settings       GET  http://0.0.0.0:9000/collect/v1/projects/<writeKey>/settings",
      '  analytics.js   GET  http://0.0.0.0:9000/collect/analytics.js/v1/<writeKey>/analytics.min.js   (analytics._cdn = "http://0.0.0.0:9000/collect")',
      "  event tester   http://0.0.0.0:9000/collect/tester/   (the exact calls for an event, computed in the page)",
      "  console        http://0.0.0.0:9000/collect/console/   (ADMIN_TOKEN: counters, dead letters, live events)",
      "  preview plugin http://0.0.0.0:9000/collect/ajs-edge/preview.js   (analytics.register(preview): planned calls in the browser console)",
    ].join("\n"),
  );
});

test("dev.sh's banner warns of a forgotten AJS_ASSETS_PREFIX: the browser would show only ERR_BLOCKED_BY_ORB", () => {
  const banner = servedBanner({ url: "http://127.0.0.1:8787", config: { basePath: "/collect", sources: [{ writeKey: "wk" }] }, label: ".dev.vars", assetsPrefix: "" });
  assert.equal(
    banner.split("\n").slice(-2).join("\n"),
    '  warning: AJS_ASSETS_PREFIX is "" but basePath is "/collect": analytics.js served by this Worker looks for its settings and chunks under "/",\n' +
      '  and the browser shows only ERR_BLOCKED_BY_ORB. Restart with AJS_ASSETS_PREFIX=/collect bash scripts/dev.sh (README.md: First-party analytics.js and the demo page).',
  );
  assert.match(servedBanner({ url: "http://127.0.0.1:8787", config: null, assetsPrefix: "/collect" }), /warning: AJS_ASSETS_PREFIX is "\/collect", but the demo needs the default "": its page shows only ERR_BLOCKED_BY_ORB/);
});

test("dev.sh stops with the config's error before wrangler starts", () => {
  const dir = mkdtempSync(join(tmpdir(), "ajs-dev-sh-"));
  try {
    copyFileSync(join(root, "wrangler.toml"), join(dir, "wrangler.toml"));
    writeFileSync(join(dir, ".dev.vars"), "AJS_EDGE_CONFIG={\n}\n");
    const env = { ...process.env, PORT: "1" };
    delete env.AJS_EDGE_CONFIG;
    const r = spawnSync("bash", ["scripts/dev.sh", "-c", join(dir, "wrangler.toml")], { cwd: root, env, encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /check-config: AJS_EDGE_CONFIG from .*\.dev\.vars does not load:/);
    assert.match(r.stderr, /AJS_EDGE_CONFIG is not quoted, and an unquoted value ends with its line: wrangler read only \{, and ignored the 1 line after it/);
    assert.doesNotMatch(r.stdout + r.stderr, /ajs-edge at|Ready|⛅️/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// wrangler 4.86 reads .dev.vars and [vars] itself when it runs the Worker: this test asks it.
test("check-config reads .dev.vars and [vars] exactly as wrangler does", async () => {
  const { unstable_getVarsForDev } = await import("wrangler");
  const dir = mkdtempSync(join(tmpdir(), "ajs-check-config-"));
  try {
    const devVars = [
      "# comment",
      `AJS_EDGE_CONFIG='{\n  "sources": []\n}'`,
      "UNQUOTED={",
      '  "a": 1',
      "}",
      'DOUBLE="two\\nlines"',
      "HASH=abc#def",
      "export SPACED = value  ",
      "BACKTICK=`it's`",
      "",
    ].join("\n");
    writeFileSync(join(dir, ".dev.vars"), devVars);
    writeFileSync(join(dir, "wrangler.toml"), 'name = "x"\n');
    const theirs = Object.fromEntries(Object.entries(unstable_getVarsForDev(join(dir, "wrangler.toml"), undefined, {}, undefined, true)).map(([k, v]) => [k, v.value]));
    const ours = Object.fromEntries([...parseDotenv(devVars).entries].map(([k, v]) => [k, v.value]));
    assert.deepEqual(ours, theirs);
    assert.equal(ours.UNQUOTED, "{");

    writeFileSync(join(dir, "wrangler.toml"), 'name = "x"\n[vars.AJS_EDGE_CONFIG]\nsources = [{ writeKey = "wk_toml", destinations = { capture = {} } }]\n');
    rmSync(join(dir, ".dev.vars"));
    const r = await checkConfig(["--deploy", "--", "-c", join(dir, "wrangler.toml")], {});
    assert.equal(r.code, 0, r.err.join("\n"));
    assert.match(r.out[0], /^check-config: AJS_EDGE_CONFIG from \[vars\] in .*wrangler\.toml is valid: 1 source$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
