#!/usr/bin/env bash
# The GeoIP tests' database writer, into .tools/mmdb-writer: scripts/mmdb-writer (a small Go
# program over github.com/maxmind/mmdbwriter, MaxMind's own writer, from the Go module proxy)
# writes the MaxMind DB files Envoy's geoip filter reads, from a JSON description the tests make.
# Built once per source version (a hash of the program and its go.sum), cached under
# ${EGTS_MMDB_WRITER_CACHE:-$HOME/.cache/egts-mmdb-writer}. Without Go the GeoIP tests fail and
# say that this script has not built the writer.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=scripts/mmdb-writer
OUT=.tools/mmdb-writer
CACHE_ROOT="${EGTS_MMDB_WRITER_CACHE:-$HOME/.cache/egts-mmdb-writer}"
version="$(cat "$SRC/main.go" "$SRC/go.mod" "$SRC/go.sum" | sha256sum | cut -c1-16)"
mkdir -p "$OUT"

echo "==> mmdb-writer ${version} (.tools/mmdb-writer)"
if [ -x "$OUT/mmdb-writer" ] && [ "$(cat "$OUT/mmdb-writer.version" 2>/dev/null)" = "$version" ]; then
  echo "already built"
  exit 0
fi
cache="$CACHE_ROOT/$version"
if [ ! -x "$cache/mmdb-writer" ]; then
  if ! command -v go >/dev/null; then
    echo "setup-mmdb-writer: go is not installed; the GeoIP tests cannot write their databases" >&2
    exit 0
  fi
  rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
  (cd "$SRC" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$(cd "$cache.tmp" && pwd)/mmdb-writer" .)
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi
cp "$cache/mmdb-writer" "$OUT/mmdb-writer"
echo "$version" > "$OUT/mmdb-writer.version"
