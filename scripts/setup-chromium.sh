#!/usr/bin/env bash
# Chromium from Debian's packages, for the admin console's browser test (apps/gateway, driven by
# playwright-core). The test finds it by EGTS_CHROMIUM, then /usr/bin/chromium; without one it skips
# and says so.
set -euo pipefail

echo "==> chromium (Debian package)"
if [ -n "${EGTS_CHROMIUM:-}" ] && [ -x "${EGTS_CHROMIUM}" ]; then echo "using ${EGTS_CHROMIUM}"; exit 0; fi
if [ -x /usr/bin/chromium ]; then /usr/bin/chromium --version 2>/dev/null || true; exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "setup-chromium: no apt-get here; install Chromium and set EGTS_CHROMIUM, or the console test skips" >&2
  exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo -n)
  else echo "setup-chromium: not root and no sudo; run 'apt-get install -y chromium' as root, or the console test skips" >&2; exit 0
  fi
fi
start=$(date +%s)
# A fresh machine may have no package lists yet.
"${as_root[@]}" apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 ||
  { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y --no-install-recommends chromium >/dev/null; }
echo "setup-chromium: installed in $(( $(date +%s) - start ))s"
/usr/bin/chromium --version 2>/dev/null || true
