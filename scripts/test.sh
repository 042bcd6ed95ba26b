#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs every check: build, typecheck, lint, the published
# packages' checks (publint, attw), and all tests. This is the README's test command and CI's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
pnpm() { corepack pnpm "$@"; }

echo "==> typecheck"; pnpm typecheck
echo "==> lint"; pnpm lint
echo "==> package checks"; pnpm check:packages
echo "==> tests"
rm -f packages/*/.vitest-report.json apps/*/.vitest-report.json
status=0
pnpm test || status=$?
node scripts/test-summary.mjs || status=1
exit $status
