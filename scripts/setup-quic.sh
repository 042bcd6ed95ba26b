#!/usr/bin/env bash
# An HTTP/3 client for the HTTP/3 tests: the PyPI package aioquic (QUIC and HTTP/3 in Python) in a
# project-local venv, .tools/quic-venv; the tests find its python there and skip with the reason
# where it is missing. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
AIOQUIC_VERSION=1.7.2
echo "==> aioquic ${AIOQUIC_VERSION} (.tools/quic-venv)"
if [ "$(.tools/quic-venv/bin/python -c 'import importlib.metadata as m; print(m.version("aioquic"))' 2>/dev/null)" != "${AIOQUIC_VERSION}" ]; then
  python3 -m venv .tools/quic-venv
  .tools/quic-venv/bin/pip install --quiet --disable-pip-version-check "aioquic==${AIOQUIC_VERSION}"
fi
