#!/usr/bin/env bash
# Builds the libFuzzer binary for HTTPRequestParser with swiftc directly (SwiftPM's
# generated main would clash with libFuzzer's). Usage:
#   Fuzz/HTTPRequestParser/build.sh            # → .build-fuzz/http-request-parser-fuzzer
#   .build-fuzz/http-request-parser-fuzzer -jobs=1 -max_total_time=600 -rss_limit_mb=2048 \
#       .build-fuzz/corpus-http Fuzz/HTTPRequestParser/corpus
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build-fuzz"
mkdir -p "$out" "$out/corpus-http"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name HTTP \
    "$root"/Sources/HTTP/*.swift "$root/Fuzz/HTTPRequestParser/FuzzEntry.swift" \
    -o "$out/http-request-parser-fuzzer"
echo "built $out/http-request-parser-fuzzer"
