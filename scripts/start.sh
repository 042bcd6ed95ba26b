#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs egts on the embedded default: the quickstart in
# examples/quickstart. Until the gateway app lands (issue 6), this validates the quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
corepack pnpm --silent egts validate -f examples/quickstart
