#!/usr/bin/env bash
# The main job on a fresh machine: install everything, build the core and the assets, run the
# Worker locally with its queues and Durable Objects (Miniflare). Without AJS_EDGE_CONFIG the Worker
# serves the built-in demo source (writeKey "demo-write-key") and prints every call it plans; its
# demo page is at /demo/. Extra arguments go to `wrangler dev`. After editing src/, run
# `bash scripts/build.sh wasi`: wrangler reloads the Worker when the module changes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
bash scripts/build.sh wasi
node scripts/build-assets.mjs
echo "Demo page (no AJS_EDGE_CONFIG): http://${HOST:-127.0.0.1}:${PORT:-8787}/demo/  (analytics.js from this Worker; planned calls shown live)"
exec npx wrangler dev --ip "${HOST:-127.0.0.1}" --port "${PORT:-8787}" "$@"
