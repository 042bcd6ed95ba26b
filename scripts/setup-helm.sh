#!/usr/bin/env bash
# Builds helm (for the chart's render test) with Go from the Go module proxy into .tools/kube/bin,
# cached per version under ${EGTS_KUBE_CACHE:-$HOME/.cache/egts-kube}/helm-<version>.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION="${EGTS_HELM_VERSION:-v3.22.0}"
CACHE="${EGTS_KUBE_CACHE:-$HOME/.cache/egts-kube}/helm-${HELM_VERSION}"
OUT=.tools/kube/bin
mkdir -p "$OUT"

echo "==> helm ${HELM_VERSION} (.tools/kube/bin)"
# Read the version into a variable: `grep -q` would close the pipe early, a SIGPIPE under pipefail.
have_version=$("$OUT/helm" version --short 2>/dev/null || true)
if [ -x "$OUT/helm" ] && [ "${have_version%%+*}" = "$HELM_VERSION" ]; then echo "already built"; exit 0; fi
if [ ! -x "$CACHE/helm" ]; then
  command -v go >/dev/null || { echo "setup-helm: go is not installed; the chart render test will skip" >&2; exit 0; }
  start=$(date +%s)
  mkdir -p "$CACHE.tmp"
  CGO_ENABLED=0 GOBIN="$(cd "$CACHE.tmp" && pwd)" go install -p "${EGTS_KUBE_BUILD_JOBS:-2}" -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
  rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"
  echo "setup-helm: built helm in $(( $(date +%s) - start ))s"
fi
cp "$CACHE/helm" "$OUT/helm"
"$OUT/helm" version --short
