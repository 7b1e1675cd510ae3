#!/usr/bin/env bash
# Builds the benchmark HTTP server (release, -O) from Sources/HTTP plus
# Tools/bench/HealthzServer.swift with swiftc, into .build-bench/healthz-server.
# The real diffusion-server is still being written; when it exists, point
# SERVER_CMD in http_wrk.sh at it instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build-bench"
mkdir -p "$out"
swiftc -O -parse-as-library -module-name HTTP \
    "$root"/Sources/HTTP/*.swift "$root/Tools/bench/HealthzServer.swift" \
    -o "$out/healthz-server"
echo "$out/healthz-server"
