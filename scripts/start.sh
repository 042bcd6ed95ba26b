#!/usr/bin/env bash
# Sets up what running needs (scripts/setup.sh: pnpm, the workspace, Envoy; no Kubernetes binaries)
# and runs egts on the embedded default: the quickstart in examples/quickstart, served by a local
# Envoy to a local backend. Ctrl-C stops all of it.
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
corepack pnpm --silent egts run -f examples/quickstart
