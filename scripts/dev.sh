#!/usr/bin/env bash
# The main job on a fresh machine: install everything, build the core and the assets, check the
# configuration, then run the Worker locally with its queues and Durable Objects (Miniflare). Without
# AJS_EDGE_CONFIG the Worker serves the built-in demo source (writeKey "demo-write-key") and prints
# every call it plans; its demo page is at /demo/. After editing src/, run
# `bash scripts/build.sh wasi emscripten && node scripts/build-assets.mjs`: wrangler reloads the Worker
# when the module changes.
# Knobs (README "Two commands on a fresh machine"): HOST and PORT, where it listens (127.0.0.1:8787);
# AJS_ASSETS_PREFIX, the path analytics.js is served under (the config's basePath); AJS_EDGE_CONFIG,
# passed on to wrangler as --var (it wins over .dev.vars); extra arguments go to `wrangler dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
bash scripts/build.sh wasi emscripten  # the Worker's core, and the browser's (the tester, the preview plugin)
node scripts/build-assets.mjs
# The config is checked here, before wrangler starts, and not by a [build] step (why: the top of
# scripts/check-config.mjs): a bad one stops with the field to fix instead of "Ready" and then a 500
# on every request. It reads the arguments as wrangler will, and prints what the Worker serves.
node scripts/check-config.mjs --banner "http://${HOST:-127.0.0.1}:${PORT:-8787}" -- "$@"
config_var=()
[ -n "${AJS_EDGE_CONFIG:-}" ] && config_var=(--var "AJS_EDGE_CONFIG:$AJS_EDGE_CONFIG")
exec npx wrangler dev --ip "${HOST:-127.0.0.1}" --port "${PORT:-8787}" "${config_var[@]}" "$@"
