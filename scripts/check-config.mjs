#!/usr/bin/env node
// Checks the configuration before it can hurt: the AJS_EDGE_CONFIG that `wrangler dev` (or a deploy)
// will load, validated by the core itself (build/wasm/ajs_edge.wasm: the errors name the field), the
// secrets it names (set, and of the shape their destination declares) and the rate limiting bindings
// it names (declared in wrangler.toml). Exit code 0 when the Worker will load it, 1 when it will not.
//
//   node scripts/check-config.mjs [options] [-- wrangler arguments]     (npm run check-config -- …)
//     --config-file F   the config from the JSON file F (it may span lines)
//     --env NAME        as wrangler's --env: .dev.vars.NAME before .dev.vars, [env.NAME] in wrangler.toml
//     --deploy          for `wrangler deploy`: .dev.vars is local only, and the secrets are Cloudflare's
//                       (`wrangler secret list` needs the account), so they are listed, not checked
//     --banner URL      then print what the Worker at URL serves (scripts/dev.sh)
//   After --, the arguments given to wrangler: their `--var AJS_EDGE_CONFIG:…`, --env, -c/--config and
//   --dry-run are read as wrangler reads them.
//
// Where the config comes from, first found: --config-file; `--var AJS_EDGE_CONFIG:…`; AJS_EDGE_CONFIG in
// the environment (scripts/dev.sh and scripts/deploy.sh pass it on as --var); for `wrangler dev`, .dev.vars
// (or, without one, the .env files); [vars] in wrangler.toml. That is wrangler 4.86's order (--var over
// the rest, .dev.vars over [vars]: getBindings2, getVarsForDev), with the environment our scripts add.
//
// No [build] step runs this: wrangler 4 runs a custom build twice (wrangler.toml, top), and a [build]
// command cannot see the `--var` arguments wrangler was given. scripts/dev.sh and scripts/deploy.sh run it
// before wrangler starts; whoever runs wrangler directly runs `npm run check-config` first.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Core, CoreError } from "../host-shims/core/core.mjs";
import { normalPrefix } from "./build-assets.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// README sections, named as the Worker's replies name them (src/core/problem.hpp, docs).
const CONFIGURATION = "README.md: Configuration";
const ASSETS = "README.md: First-party analytics.js and the demo page";
const DEPLOY = "README.md: Deploy";
const SECURITY = "README.md: Security";

// The arguments: ours before --, wrangler's after (read leniently: wrangler owns them).
export function parseArguments(argv) {
  const options = { configFile: null, env: null, deploy: false, banner: null, wranglerConfig: null, vars: {}, dryRun: false };
  const cut = argv.indexOf("--");
  const ours = cut < 0 ? argv : argv.slice(0, cut);
  const theirs = cut < 0 ? [] : argv.slice(cut + 1);
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i];
    const value = () => {
      if (i + 1 >= ours.length) throw new UsageError(`${a} needs a value`);
      return ours[++i];
    };
    if (a === "--config-file") options.configFile = value();
    else if (a === "--env" || a === "-e") options.env = value();
    else if (a === "--deploy") options.deploy = true;
    else if (a === "--banner") options.banner = value();
    else throw new UsageError(`unknown option ${a}`);
  }
  for (let i = 0; i < theirs.length; i++) {
    const eq = theirs[i].startsWith("--") ? theirs[i].indexOf("=") : -1; // --flag=value
    const flag = eq < 0 ? theirs[i] : theirs[i].slice(0, eq);
    const inline = eq < 0 ? null : theirs[i].slice(eq + 1);
    const next = () => inline ?? theirs[++i];
    if (flag === "--var") {
      // wrangler's --var takes one or more KEY:VALUE (yargs array), until the next option.
      const values = inline !== null ? [inline] : [];
      while (inline === null && i + 1 < theirs.length && !theirs[i + 1].startsWith("-")) values.push(theirs[++i]);
      for (const v of values) {
        const colon = v.indexOf(":");
        if (colon > 0) options.vars[v.slice(0, colon)] = v.slice(colon + 1);
      }
    } else if (flag === "--env" || flag === "-e") options.env ??= next();
    else if (flag === "--config" || flag === "-c") options.wranglerConfig = next();
    else if (flag === "--dry-run") options.dryRun = true;
  }
  return options;
}

class UsageError extends Error {}

// dotenv 16 as wrangler 4.86 bundles it (its `parse`): KEY=value a line; a value in single quotes,
// double quotes or backticks may span lines; an unquoted one ends at its line's end or at a `#`.
// Each entry also keeps where its value starts in the file, to place a JSON error there.
const DOTENV_LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

export function parseDotenv(text) {
  const lines = text.replace(/\r\n?/gm, "\n");
  const entries = new Map();
  for (const m of lines.matchAll(DOTENV_LINE)) {
    const raw = m[2] ?? "";
    let value = raw.trim();
    const quote = /^['"`]/.test(value) ? value[0] : "";
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, "$2");
    if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
    const start = m.indices[2] ? m.indices[2][0] + (raw.length - raw.trimStart().length) + (quote ? 1 : 0) : m.index + m[0].length;
    const startLine = lines.slice(0, start).split("\n").length;
    const startColumn = start - lines.lastIndexOf("\n", start - 1);
    const keyLine = lines.slice(0, m.index + m[0].search(/\S/)).split("\n").length;
    const valueEnd = m.indices[2] ? m.indices[2][1] : m.index + m[0].length;
    entries.set(m[1], { value, quote, keyLine, startLine, startColumn, valueEnd, end: m.index + m[0].length });
  }
  return { text: lines, entries };
}

// The local variables `wrangler dev` gives the Worker beside [vars] (wrangler 4.86, getVarsForDev):
// .dev.vars.<env> or .dev.vars; without either, the .env files, and the environment only with
// CLOUDFLARE_INCLUDE_PROCESS_ENV=true.
function localVariables(dir, env, processEnv) {
  for (const name of env ? [`.dev.vars.${env}`, ".dev.vars"] : [".dev.vars"]) {
    const path = join(dir, name);
    if (existsSync(path)) return { label: relative(process.cwd(), path) || name, name, dotenv: parseDotenv(readFileSync(path, "utf8")) };
  }
  const variables = new Map();
  const names = [];
  if (processEnv.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV !== "false") {
    for (const name of [".env", ".env.local", ...(env ? [`.env.${env}`, `.env.${env}.local`] : [])]) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      names.push(name);
      for (const [k, v] of parseDotenv(readFileSync(path, "utf8")).entries) variables.set(k, v);
    }
  }
  if (processEnv.CLOUDFLARE_INCLUDE_PROCESS_ENV === "true") {
    for (const [k, v] of Object.entries(processEnv)) if (!variables.has(k) && typeof v === "string") variables.set(k, { value: v });
    names.push("the environment (CLOUDFLARE_INCLUDE_PROCESS_ENV)");
  }
  return { label: names.length ? names.join(", ") : ".dev.vars", name: names[0] ?? ".dev.vars", dotenv: { text: "", entries: variables } };
}

// [vars] of wrangler.toml, read by wrangler itself (a TOML table or string, per --env), only when
// the file names AJS_EDGE_CONFIG outside a comment: loading wrangler takes seconds.
async function wranglerTomlConfig(tomlPath, env) {
  if (!existsSync(tomlPath) || !/^[^#\n]*AJS_EDGE_CONFIG/m.test(readFileSync(tomlPath, "utf8"))) return undefined;
  const { unstable_readConfig } = await import("wrangler");
  const value = unstable_readConfig({ config: tomlPath, env: env ?? undefined }).vars?.AJS_EDGE_CONFIG;
  return value === undefined || typeof value === "string" ? value : JSON.stringify(value);
}

// The [[ratelimits]] names wrangler.toml declares ([[env.NAME.ratelimits]] under --env: not inherited).
export function declaredRateLimiters(tomlText, env) {
  const header = env && tomlText.includes(`[env.${env}`) ? `[[env.${env}.ratelimits]]` : "[[ratelimits]]";
  const names = [];
  let inside = false;
  for (const line of tomlText.split("\n")) {
    const t = line.trim();
    if (t.startsWith("[")) inside = t.startsWith(header);
    const m = inside && /^name\s*=\s*"([^"]*)"/.exec(t);
    if (m) names.push(m[1]);
  }
  return names;
}

// An unquoted value in a dotenv file ends at its line (or at a `#`): the usual way a multi-line JSON
// config is cut to "{". Says so, with the lines wrangler left out, or returns "".
function dotenvCutHint(source) {
  const { entry, dotenv, file } = source;
  if (!entry || entry.quote) return "";
  const rest = dotenv.text.slice(entry.end).split("\n");
  const hash = dotenv.text.slice(entry.valueEnd).trimStart().startsWith("#");
  let skipped = 0;
  for (const line of rest.slice(1)) {
    if (/^\s*(?:export\s+)?[\w.-]+\s*=/.test(line)) break;
    if (line.trim() !== "" && !line.trim().startsWith("#")) skipped++;
  }
  if (skipped === 0 && !hash) return "";
  const read = entry.value.length > 60 ? `${entry.value.slice(0, 60)}…` : entry.value;
  const why = hash
    ? `an unquoted value ends at a # (a comment): wrangler read only ${read}`
    : `an unquoted value ends with its line: wrangler read only ${read}, and ignored the ${skipped} line${skipped === 1 ? "" : "s"} after it`;
  return (
    `${file} line ${entry.keyLine}: AJS_EDGE_CONFIG is not quoted, and ${why}\n` +
    `  Put the whole config in single quotes: AJS_EDGE_CONFIG='{"sources":[…]}' (on one line, or over several),\n` +
    `  or keep it in a file and run: AJS_EDGE_CONFIG="$(cat my-config.json)" bash scripts/dev.sh`
  );
}

// Where the config comes from, as wrangler will see it (see the top of this file).
async function findConfig(options, processEnv, local, tomlPath) {
  if (options.configFile) {
    const path = resolve(options.configFile);
    if (!existsSync(path)) throw new UsageError(`--config-file ${options.configFile}: no such file`);
    return { label: options.configFile, text: readFileSync(path, "utf8") };
  }
  if (options.vars.AJS_EDGE_CONFIG !== undefined) return { label: "--var AJS_EDGE_CONFIG:…", text: options.vars.AJS_EDGE_CONFIG };
  if (processEnv.AJS_EDGE_CONFIG) return { label: "the environment (AJS_EDGE_CONFIG)", text: processEnv.AJS_EDGE_CONFIG };
  const entry = local?.dotenv.entries.get("AJS_EDGE_CONFIG");
  if (entry) return { label: local.label, text: entry.value, entry, dotenv: local.dotenv, file: local.label };
  const fromToml = await wranglerTomlConfig(tomlPath, options.env);
  if (fromToml !== undefined) return { label: `[vars] in ${relative(process.cwd(), tomlPath) || "wrangler.toml"}`, text: fromToml };
  return null;
}

// The JSON error's line and column in the dotenv file, when the value is a plain copy of the file's text.
function placeInFile(source, message) {
  const m = /at line (\d+), column (\d+)/.exec(message);
  if (!m || !source.entry?.startLine || source.entry.quote === '"') return "";
  const [line, column] = [Number(m[1]), Number(m[2])];
  const fileLine = source.entry.startLine + line - 1;
  const fileColumn = line === 1 ? source.entry.startColumn + column - 1 : column;
  return ` (${source.file} line ${fileLine}, column ${fileColumn})`;
}

const shortKey = (k) => (k.length > 6 ? `${k.slice(0, 6)}…` : k);

// The pages that show what happens to events (README "See what happens to your events").
const browserLines = (base, prefix) => [
  `  event tester   ${base}${prefix}/tester/   (the exact calls for an event, computed in the page)`,
  `  console        ${base}${prefix}/console/   (ADMIN_TOKEN: counters, dead letters, live events)`,
  `  preview plugin ${base}${prefix}/ajs-edge/preview.js   (analytics.register(preview): planned calls in the browser console)`,
];

// What the Worker at `url` serves with this config (null: the built-in demo), for scripts/dev.sh.
export function servedBanner({ url, config, label, assetsPrefix = "" }) {
  const base = url.replace(/\/+$/, "");
  const lines = [];
  let prefix = "";
  try {
    prefix = normalPrefix(assetsPrefix);
  } catch (e) {
    prefix = assetsPrefix;
  }
  if (!config) {
    lines.push(`ajs-edge at ${base}: no AJS_EDGE_CONFIG, so the built-in demo source "demo-write-key", dry run (nothing is sent)`);
    lines.push(`  demo page      ${base}/demo/   (analytics.js from this Worker; planned calls shown live)`);
    lines.push(`  planned calls  ${base}/demo/calls`);
    lines.push(...browserLines(base, prefix));
    if (prefix !== "") lines.push(`  warning: AJS_ASSETS_PREFIX is "${prefix}", but the demo needs the default "": its page shows only ERR_BLOCKED_BY_ORB. Unset it (${ASSETS}).`);
    return lines.join("\n");
  }
  const basePath = (config.basePath ?? "").replace(/\/+$/, "");
  const sources = config.sources ?? [];
  lines.push(`ajs-edge at ${base}: AJS_EDGE_CONFIG from ${label}, ${sources.length} source${sources.length === 1 ? "" : "s"} (no demo page: /demo/ is for the built-in demo only)`);
  for (const s of sources) {
    const name = s.name ? ` "${s.name}"` : "";
    const destinations = Object.keys(s.destinations ?? {});
    lines.push(`  writeKey ${shortKey(String(s.writeKey))}${name} → ${destinations.length ? destinations.join(", ") : "no destination"}`);
  }
  const api = `${base}${basePath}/v1`;
  lines.push(`  beacons        POST ${api}/t, /i, /p, /g, /a, /s, /b (analytics.js), ${api}/batch (analytics-node: path "${basePath}/v1/batch")`);
  lines.push(`  settings       GET  ${api}/projects/<writeKey>/settings`);
  lines.push(`  analytics.js   GET  ${base}${prefix}/analytics.js/v1/<writeKey>/analytics.min.js   (analytics._cdn = "${base}${prefix}")`);
  lines.push(...browserLines(base, prefix));
  if (prefix !== basePath) {
    lines.push(
      `  warning: AJS_ASSETS_PREFIX is "${prefix}" but basePath is "${basePath}": analytics.js served by this Worker looks for its settings and chunks under "${prefix || "/"}",\n` +
        `  and the browser shows only ERR_BLOCKED_BY_ORB. Restart with AJS_ASSETS_PREFIX=${basePath || '""'} bash scripts/dev.sh (${ASSETS}).`,
    );
  }
  return lines.join("\n");
}

// Runs the check; returns {code, out: [lines], err: [lines]}.
export async function checkConfig(argv, processEnv = process.env) {
  const out = [];
  const err = [];
  let options;
  try {
    options = parseArguments(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { code: 2, out, err: [`check-config: ${e.message} (usage: the top of scripts/check-config.mjs)`] };
  }
  const tomlPath = resolve(options.wranglerConfig ?? join(root, "wrangler.toml"));
  const dir = dirname(tomlPath);
  const local = options.deploy ? null : localVariables(dir, options.env, processEnv);
  let source;
  try {
    source = await findConfig(options, processEnv, local, tomlPath);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { code: 2, out, err: [`check-config: ${e.message}`] };
  }

  if (!source) {
    if (options.deploy && !options.dryRun) {
      err.push(
        `check-config: no AJS_EDGE_CONFIG for the deploy: the Worker would have no source to serve (.dev.vars is local only).\n` +
          `  Pass it: bash scripts/deploy.sh --var AJS_EDGE_CONFIG:"$(cat my-config.json)", or set AJS_EDGE_CONFIG in the environment\n` +
          `  or under [vars] in wrangler.toml (${DEPLOY}).`,
      );
      return { code: 1, out, err };
    }
    out.push(
      options.deploy
        ? "check-config: no AJS_EDGE_CONFIG (a dry run: nothing checked)"
        : `check-config: no AJS_EDGE_CONFIG (not in --var, the environment, ${local?.label ?? ".dev.vars"} or [vars] of wrangler.toml): the Worker serves the built-in demo. To configure a source: ${CONFIGURATION}.`,
    );
    if (options.banner) out.push(servedBanner({ url: options.banner, config: null, assetsPrefix: processEnv.AJS_ASSETS_PREFIX ?? "" }));
    return { code: 0, out, err };
  }

  const core = await Core.instantiate(new WebAssembly.Module(readFileSync(join(root, "build/wasm/ajs_edge.wasm"))));
  let description;
  try {
    description = core.configure(source.text);
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    err.push(`check-config: AJS_EDGE_CONFIG from ${source.label} does not load:`);
    err.push(`  ${e.message}${placeInFile(source, e.message)}`);
    const hint = dotenvCutHint(source);
    if (hint) err.push(`  ${hint}`);
    err.push(`  The settings are explained in ${CONFIGURATION}.`);
    return { code: 1, out, err };
  }
  if (description.demo) {
    out.push(`check-config: AJS_EDGE_CONFIG from ${source.label} is empty: the Worker serves the built-in demo.`);
    if (options.banner) out.push(servedBanner({ url: options.banner, config: null, assetsPrefix: processEnv.AJS_ASSETS_PREFIX ?? "" }));
    return { code: 0, out, err };
  }
  const config = JSON.parse(source.text);
  const problems = [];

  // Rate limiting bindings the config names must be declared (the defaults may be absent: no limit).
  const declared = existsSync(tomlPath) ? declaredRateLimiters(readFileSync(tomlPath, "utf8"), options.env) : [];
  for (const { binding, field, required } of description.rateLimiters ?? []) {
    if (required && !declared.includes(binding)) problems.push(`${field}: no rate limiting binding ${binding}: declare it under [[ratelimits]] in wrangler.toml (${SECURITY})`);
  }

  // Secrets: present and of their destination's shape, where the Worker will look for them.
  const secrets = description.secrets ?? [];
  const notChecked = [];
  for (const { binding, field, pattern } of secrets) {
    if (options.deploy) {
      notChecked.push(binding);
      continue;
    }
    const value = options.vars[binding] ?? local?.dotenv.entries.get(binding)?.value;
    const where = options.vars[binding] !== undefined ? `--var ${binding}` : local?.label ?? ".dev.vars";
    if (typeof value !== "string" || value === "") {
      const inShell = processEnv[binding] ? ` It is set in this shell's environment, which wrangler dev does not pass to the Worker.` : "";
      problems.push(`${field}: secret ${binding} is not set: add a line ${binding}=… to ${local?.name ?? ".dev.vars"} (${CONFIGURATION}).${inShell}`);
    } else if (pattern && !new RegExp(pattern).test(value)) {
      problems.push(`${field}: the value of secret ${binding} in ${where} does not match ${pattern} (the destination's key format; ${CONFIGURATION})`);
    }
  }

  const count = `${config.sources.length} source${config.sources.length === 1 ? "" : "s"}`;
  if (problems.length > 0) {
    err.push(`check-config: AJS_EDGE_CONFIG from ${source.label} is valid (${count}), but the Worker will not load it:`);
    for (const p of problems) err.push(`  ${p}`);
    return { code: 1, out, err };
  }
  out.push(`check-config: AJS_EDGE_CONFIG from ${source.label} is valid: ${count}${secrets.length && !options.deploy ? `; secrets ${secrets.map((s) => s.binding).join(", ")} set in ${local?.label}` : ""}`);
  if (notChecked.length > 0) {
    out.push(
      `check-config: secrets not checked: ${notChecked.join(", ")}. A deployed Worker's secrets are kept by Cloudflare (\`npx wrangler secret list\` shows them);\n` +
        `  set each once with \`npx wrangler secret put NAME\`. Until then the Worker answers 500 misconfigured and its log names the missing one (${DEPLOY}).`,
    );
  }
  if (options.banner) out.push(servedBanner({ url: options.banner, config, label: source.label, assetsPrefix: processEnv.AJS_ASSETS_PREFIX ?? "" }));
  return { code: 0, out, err };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await checkConfig(process.argv.slice(2));
  for (const line of r.out) console.log(line);
  for (const line of r.err) console.error(line);
  process.exitCode = r.code;
}
