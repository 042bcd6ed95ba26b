#!/usr/bin/env bash
# Sets up everything egts needs on a fresh machine: pnpm (through corepack), the workspace's
# packages, and the tools tests run for real. Safe to run again: each step skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# corepack verifies pnpm by the sha512 pinned in package.json's packageManager field.
pnpm() { corepack pnpm "$@"; }

echo "==> pnpm install"
pnpm install --frozen-lockfile

echo "==> build"
pnpm build
