#!/usr/bin/env bash
# The tools only tests need, on top of scripts/setup.sh: a real etcd + kube-apiserver for the
# Kubernetes integration tests (@egts/kube-testenv; ~20 minutes to build on a cold machine, then
# cached in ~/.cache/egts-kube), helm for the chart's render test, and Chromium for the admin
# console's browser test; the Envoy Rate Limit Service with a Redis server for the global rate
# limit tests (~2.5 minutes to build cold, cached in ~/.cache/egts-ratelimit); the MaxMind DB
# writer the GeoIP tests make their databases with (scripts/setup-mmdb-writer.sh); the test dynamic
# module (scripts/setup-dynamic-module.sh). Each skips what is
# already there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-kube.sh
bash scripts/setup-ratelimit.sh
bash scripts/setup-helm.sh
bash scripts/setup-chromium.sh
bash scripts/setup-quic.sh
bash scripts/setup-mmdb-writer.sh
bash scripts/setup-dynamic-module.sh
