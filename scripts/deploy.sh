#!/usr/bin/env bash
# Deploys the Worker with durable delivery, after `npx wrangler login` (or with
# CLOUDFLARE_API_TOKEN set): installs and builds (the core for wasi, the assets), checks the
# configuration (scripts/check-config.mjs --deploy), creates the delivery queue and its dead-letter
# queue when the account lacks them (their names are read from wrangler.toml), then runs
# `wrangler deploy`. Extra arguments go to `wrangler deploy`, e.g.
#   bash scripts/deploy.sh --var AJS_EDGE_CONFIG:"$(cat my-config.json)"
#   bash scripts/deploy.sh --dry-run --outdir dist      (no account touched: no queue created)
# AJS_EDGE_CONFIG in the environment is passed on as --var, as scripts/dev.sh does.
# WRANGLER (default: the project's own wrangler) is the command run, for tests.
set -euo pipefail
cd "$(dirname "$0")/.."
wrangler=${WRANGLER:-node_modules/.bin/wrangler}
export WRANGLER_SEND_METRICS=false
bash scripts/install-deps.sh
bash scripts/build.sh wasi emscripten  # the Worker's core, and the browser's (the tester, the preview plugin)
# Before anything is created or uploaded, and not by a [build] step (why: the top of
# scripts/check-config.mjs): a config the Worker would refuse, or none at all, stops the deploy here.
node scripts/check-config.mjs --deploy -- "$@"
node scripts/build-assets.mjs

dry_run=0
for arg in "$@"; do [ "$arg" = "--dry-run" ] && dry_run=1; done
if [ "$dry_run" = 0 ]; then
  # Every queue wrangler.toml names (producer, consumers, dead-letter queue), once each.
  wanted=$(sed -n 's/^\(queue\|dead_letter_queue\) *= *"\([^"]*\)".*/\2/p' wrangler.toml | sort -u)
  existing=$("$wrangler" queues list) || { echo "deploy: could not list the account's queues (run 'npx wrangler login' first)" >&2; exit 1; }
  for q in $wanted; do
    if grep -Eq "(^|[^A-Za-z0-9_-])$q([^A-Za-z0-9_-]|$)" <<<"$existing"; then
      echo "deploy: queue $q exists"
    else
      echo "deploy: creating queue $q"
      "$wrangler" queues create "$q"
    fi
  done
fi
config_var=()
[ -n "${AJS_EDGE_CONFIG:-}" ] && config_var=(--var "AJS_EDGE_CONFIG:$AJS_EDGE_CONFIG")
exec "$wrangler" deploy "${config_var[@]}" "$@"
