#!/usr/bin/env bash
# Builds a real etcd and kube-apiserver for the Kubernetes provider's integration tests
# (@egts/kube-testenv) into .tools/kube/bin. Both come from the Go module proxy: k8s.io/kubernetes
# needs its k8s.io/* staging modules pinned to the same-numbered published modules (v1.X.Y <-> v0.X.Y),
# which a throwaway go.mod under .tools/kube/build does with replace directives. The binaries are
# cached per version under ${EGTS_KUBE_CACHE:-$HOME/.cache/egts-kube}/<version>, so a fresh clone on the
# same machine copies them instead of building again; a cold machine builds them (see the timing line).
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VERSION="${EGTS_KUBE_VERSION:-v1.34.4}"
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
CACHE="${EGTS_KUBE_CACHE:-$HOME/.cache/egts-kube}/${KUBE_VERSION}"
OUT=.tools/kube
mkdir -p "$OUT/bin"

have() { [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ] && [ "$(cat "$1/VERSION" 2>/dev/null)" = "$KUBE_VERSION" ]; }

echo "==> kube-apiserver + etcd ${KUBE_VERSION} (.tools/kube)"
if have "$OUT/bin"; then echo "already built"; exit 0; fi
if ! have "$CACHE"; then
  # Without Go there is nothing to build with: the Kubernetes integration tests then skip and say so.
  command -v go >/dev/null || { echo "setup-kube: go is not installed; the Kubernetes integration tests will skip" >&2; exit 0; }
  start=$(date +%s)
  build="$OUT/build"
  rm -rf "$build" && mkdir -p "$build"
  # Every staging module k8s.io/kubernetes requires at v0.0.0 (its own go.mod replaces them with ./staging/...).
  # The go.mod of k8s.io/kubernetes, fetched by the go command from the configured module proxy.
  kube_mod=$(cd "$build" && go mod download -json "k8s.io/kubernetes@${KUBE_VERSION}" |
    sed -n 's#^[[:space:]]*"GoMod": "\(.*\)",*$#\1#p')
  staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$kube_mod")
  {
    echo "module egts.local/kube-build"
    echo
    echo "go 1.24"
    echo
    echo "replace ("
    for m in $staging; do echo "	$m => $m $STAGING_VERSION"; done
    echo ")"
  } > "$build/go.mod"
  (
    cd "$build"
    go get "k8s.io/kubernetes/cmd/kube-apiserver@${KUBE_VERSION}"
    etcd_version=$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
    go get "go.etcd.io/etcd/server/v3@${etcd_version}"
    ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${KUBE_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2) -X k8s.io/client-go/pkg/version.gitVersion=${KUBE_VERSION}"
    mkdir -p bin
    CGO_ENABLED=0 go build -p "${EGTS_KUBE_BUILD_JOBS:-2}" -trimpath -ldflags "$ldflags" -o bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
    CGO_ENABLED=0 go build -p "${EGTS_KUBE_BUILD_JOBS:-2}" -trimpath -ldflags "-s -w" -o bin/etcd go.etcd.io/etcd/server/v3
  )
  echo "$KUBE_VERSION" > "$build/bin/VERSION"
  mkdir -p "$CACHE"
  cp "$build/bin/kube-apiserver" "$build/bin/etcd" "$build/bin/VERSION" "$CACHE/"
  echo "setup-kube: built kube-apiserver and etcd in $(( $(date +%s) - start ))s"
fi
cp "$CACHE/kube-apiserver" "$CACHE/etcd" "$CACHE/VERSION" "$OUT/bin/"
"$OUT/bin/kube-apiserver" --version
# sed, not head: head would end the pipe early and fail it under pipefail.
"$OUT/bin/etcd" --version | sed -n 1p
