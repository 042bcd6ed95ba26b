#!/usr/bin/env bash
# Sets up what running needs (scripts/setup.sh) and what only tests need (scripts/setup-test-tools.sh:
# kube-apiserver, etcd, helm, Chromium), builds, then runs every check: typecheck, lint, the published
# packages' checks (publint, attw), and both test tiers (vitest.shared.ts): the default tier two
# packages at a time, then the heavy tier one at a time. A failing package never stops the others;
# scripts/test-summary.mjs counts them all. This is the README's test command and CI's.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh
bash scripts/setup-test-tools.sh
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
pnpm() { corepack pnpm "$@"; }
# dist: what the package checks pack, and the CLI the conformance harness and `pnpm egts` run.
echo "==> build"; pnpm build

status=0
echo "==> typecheck"; pnpm typecheck || status=1
echo "==> lint"; pnpm lint || status=1
echo "==> package checks"; pnpm check:packages || status=1
rm -f packages/*/.vitest-report.json apps/*/.vitest-report.json \
  packages/*/.vitest-heavy-report.json apps/*/.vitest-heavy-report.json
echo "==> tests (default tier)"; pnpm test || status=1
echo "==> tests (heavy tier)"; pnpm test:heavy || status=1
echo "==> summary ($(( $(date +%s) - start ))s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
node scripts/test-summary.mjs || status=1
exit $status
