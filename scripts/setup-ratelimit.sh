#!/usr/bin/env bash
# The global rate limit tests' two real parts, into .tools/ratelimit/bin:
# - `ratelimit`: the Envoy Rate Limit Service (github.com/envoyproxy/ratelimit), built with `go install`
#   from the Go module proxy at a pinned pseudo-version (the module has no recent tags). ~2.5 minutes
#   cold on 2 cores (modules downloaded too); cached under ${EGTS_RATELIMIT_CACHE:-$HOME/.cache/egts-ratelimit}/<version>.
# - `redis-server`: Debian's redis-tools package (it ships the server binary), fetched with
#   `apt-get download` and unpacked with `dpkg -x` (no install, no service started), with the two
#   libraries a base image may lack (libjemalloc2, liblzf1) unpacked beside it; the wrapper script
#   sets LD_LIBRARY_PATH. A redis-server already on PATH is used as is.
# Without Go or apt the tests that need them skip and say which binary is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

RATELIMIT_VERSION="${EGTS_RATELIMIT_VERSION:-v1.4.1-0.20260122083618-3fb702589d36}"
CACHE_ROOT="${EGTS_RATELIMIT_CACHE:-$HOME/.cache/egts-ratelimit}"
OUT=.tools/ratelimit/bin
mkdir -p "$OUT"

echo "==> envoyproxy/ratelimit ${RATELIMIT_VERSION} (.tools/ratelimit/bin)"
cache="$CACHE_ROOT/ratelimit-${RATELIMIT_VERSION}"
if [ -x "$OUT/ratelimit" ] && [ "$(cat "$OUT/ratelimit.version" 2>/dev/null)" = "$RATELIMIT_VERSION" ]; then
  echo "already built"
else
  if [ ! -x "$cache/ratelimit" ]; then
    if command -v go >/dev/null; then
      start=$(date +%s)
      rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
      # A failed build leaves the tests that need the service skipped (they say why), not CI broken.
      if CGO_ENABLED=0 GOBIN="$(cd "$cache.tmp" && pwd)" go install -p "${EGTS_RATELIMIT_BUILD_JOBS:-2}" -trimpath \
        -ldflags "-s -w" "github.com/envoyproxy/ratelimit/src/service_cmd@${RATELIMIT_VERSION}"; then
        mv "$cache.tmp/service_cmd" "$cache.tmp/ratelimit"
        rm -rf "$cache" && mv "$cache.tmp" "$cache"
        echo "setup-ratelimit: built ratelimit in $(( $(date +%s) - start ))s"
      else
        echo "setup-ratelimit: building ratelimit failed; the global rate limit tests will skip" >&2
      fi
    else
      echo "setup-ratelimit: go is not installed; the global rate limit tests will skip" >&2
    fi
  fi
  if [ -x "$cache/ratelimit" ]; then
    cp "$cache/ratelimit" "$OUT/ratelimit"
    echo "$RATELIMIT_VERSION" > "$OUT/ratelimit.version"
  fi
fi

echo "==> redis-server (.tools/ratelimit/bin)"
if [ -x "$OUT/redis-server" ] && "$OUT/redis-server" --version >/dev/null 2>&1; then
  "$OUT/redis-server" --version
  exit 0
fi
if command -v redis-server >/dev/null; then
  ln -sf "$(command -v redis-server)" "$OUT/redis-server"
  "$OUT/redis-server" --version
  exit 0
fi
redis_cache="$CACHE_ROOT/redis"
if [ ! -x "$redis_cache/root/usr/bin/redis-check-rdb" ]; then
  command -v apt-get >/dev/null || { echo "setup-ratelimit: no apt-get; the global rate limit tests will skip" >&2; exit 0; }
  rm -rf "$redis_cache.tmp" && mkdir -p "$redis_cache.tmp/debs" "$redis_cache.tmp/root"
  (
    cd "$redis_cache.tmp/debs"
    # apt-get download needs the package lists; an empty list means `apt-get update` never ran here.
    apt-cache policy redis-tools | grep -q Candidate: || apt-get update -qq
    apt-get download -qq redis-tools libjemalloc2 liblzf1
  ) || { echo "setup-ratelimit: could not download redis-server; the global rate limit tests will skip" >&2; exit 0; }
  for deb in "$redis_cache.tmp"/debs/*.deb; do dpkg -x "$deb" "$redis_cache.tmp/root"; done
  rm -rf "$redis_cache" && mv "$redis_cache.tmp" "$redis_cache"
fi
# Debian's redis-server is the redis-check-rdb binary under another name: the program picks its
# mode from argv[0], so the wrapper execs it with -a (bash's exec sets argv[0]).
root="$(cd "$redis_cache/root" && pwd)"
cat > "$OUT/redis-server" <<EOF
#!/usr/bin/env bash
export LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec -a redis-server "$root/usr/bin/redis-check-rdb" "\$@"
EOF
chmod +x "$OUT/redis-server"
"$OUT/redis-server" --version
