#!/usr/bin/env bash
# Builds the libFuzzer binary for `POST /v1/detect` request parsing with swiftc directly
# (SwiftPM's generated main would clash with libFuzzer's). The Service module depends on every
# numeric module, Yams and swift-log, so instead of building it whole this compiles:
#   1. module HTTP: all of Sources/HTTP (with -enable-testing, so the entry can use the
#      internal `RequestTarget` to split the query exactly as the server does);
#   2. module Service: the real Sources/Service/Routes/DetectionRequest.swift,
#      Sources/Service/Routes/RequestFields.swift and Sources/Service/RequestBody.swift, plus
#      ServiceShims.swift (the two declarations they use from elsewhere) and the entry file.
# Usage: Fuzz/DetectionRequest/build.sh [output]   (default .build-fuzz/detection-request-fuzzer)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/.build-fuzz/detection-request-fuzzer}"
work="$root/.build-fuzz/detection-request-modules"
mkdir -p "$(dirname "$out")" "$work"

# The shim must agree with the real JobSubmitter on the timeout range the harness checks.
real=$(grep -o 'requestableTimeouts = [0-9_.]*' "$root/Sources/Service/Jobs/JobSubmitter.swift")
shim=$(grep -o 'requestableTimeouts = [0-9_.]*' "$here/ServiceShims.swift")
if [[ "$real" != "$shim" ]]; then
    echo "ServiceShims.swift is stale: '$shim' vs JobSubmitter's '$real'" >&2
    exit 1
fi

flags=(-sanitize=fuzzer,address -parse-as-library -O -swift-version 6 -enable-upcoming-feature ExistentialAny)
swiftc "${flags[@]}" -enable-testing -wmo -module-name HTTP -emit-module -emit-module-path "$work/HTTP.swiftmodule" \
    -emit-object "$root"/Sources/HTTP/*.swift -o "$work/HTTP.o"
swiftc "${flags[@]}" -module-name Service -I "$work" \
    "$root/Sources/Service/Routes/DetectionRequest.swift" \
    "$root/Sources/Service/Routes/RequestFields.swift" \
    "$root/Sources/Service/RequestBody.swift" \
    "$here/ServiceShims.swift" "$here/FuzzEntry.swift" "$work/HTTP.o" -o "$out"
echo "$out"
