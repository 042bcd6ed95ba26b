#!/usr/bin/env bash
# Sets up what running needs (scripts/setup.sh: pnpm, the workspace, Envoy; no build, no Kubernetes
# binaries) and runs egts from source on the embedded default: the quickstart in examples/quickstart,
# served by a local Envoy to a local backend. Ctrl-C stops all of it.
#   curl -H 'Host: www.example.com' http://127.0.0.1:10080/
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh
echo "==> set up in $(( $(date +%s) - start ))s"

node examples/quickstart/backend.mjs &
backend=$!
trap 'kill $backend 2>/dev/null || true' EXIT

echo "==> egts run -f examples/quickstart (try: curl -H 'Host: www.example.com' http://127.0.0.1:10080/)"
echo "    admin console: http://127.0.0.1:19000/"
# From source, as the tests run it (the @egts/source export condition, tsx for TypeScript): no build
# to wait for. `pnpm build`, then `pnpm --silent egts ...`, runs the built CLI.
cd apps/gateway
node --conditions=@egts/source --import tsx src/cli.ts run -f ../../examples/quickstart
