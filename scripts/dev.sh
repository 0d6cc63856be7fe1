#!/usr/bin/env bash
# The main job on a fresh machine: install everything, build the core, run the Worker locally.
# Without AJS_EDGE_CONFIG the Worker serves the built-in demo source (writeKey "demo-write-key")
# and prints every call it plans; its demo page is at /demo/. Extra arguments go to `wrangler dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
echo "Demo page (no AJS_EDGE_CONFIG): http://${HOST:-127.0.0.1}:${PORT:-8787}/demo/  (analytics.js from this Worker; planned calls shown live)"
exec npx wrangler dev --ip "${HOST:-127.0.0.1}" --port "${PORT:-8787}" "$@"
