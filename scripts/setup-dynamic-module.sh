#!/usr/bin/env bash
# The dynamic module the dynamic module tests load into Envoy (EnvoyExtensionPolicy dynamicModule,
# BackendTrafficPolicy loadBalancer.dynamicModule): scripts/dynamic-module/egts_test_module.c,
# written against Envoy 1.40's dynamic modules C ABI, built with the system C compiler into
# .tools/dynamic-modules/libheader_mutation.so. Rebuilt only when the source changes. Without a C
# compiler the dynamic module tests fail and say that this script has not built the module.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=scripts/dynamic-module/egts_test_module.c
OUT=.tools/dynamic-modules
version="$(sha256sum "$SRC" | cut -c1-16)"
mkdir -p "$OUT"

echo "==> dynamic module ${version} (.tools/dynamic-modules)"
if [ -f "$OUT/libheader_mutation.so" ] && [ "$(cat "$OUT/version" 2>/dev/null)" = "$version" ]; then
  echo "already built"
  exit 0
fi
if ! command -v cc >/dev/null; then
  echo "setup-dynamic-module: no C compiler (cc); the dynamic module tests cannot load a module" >&2
  exit 0
fi
# Envoy's callbacks stay undefined here: Envoy's binary exports them when it loads the module.
cc -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o "$OUT/libheader_mutation.so.tmp" "$SRC"
mv "$OUT/libheader_mutation.so.tmp" "$OUT/libheader_mutation.so"
echo "$version" > "$OUT/version"
