#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs egts on the embedded default: the quickstart in
# examples/quickstart, served by a local Envoy to a local backend. Ctrl-C stops all of it.
#   curl -H 'Host: www.example.com' http://127.0.0.1:10080/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

node examples/quickstart/backend.mjs &
backend=$!
trap 'kill $backend 2>/dev/null || true' EXIT

echo "==> egts run -f examples/quickstart (try: curl -H 'Host: www.example.com' http://127.0.0.1:10080/)"
corepack pnpm --silent egts run -f examples/quickstart
