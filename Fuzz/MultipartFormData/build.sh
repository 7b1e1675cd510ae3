#!/usr/bin/env bash
# Builds the multipart/form-data fuzzer: the HTTP module's sources plus the entry file,
# compiled by swiftc with libFuzzer and AddressSanitizer (a SwiftPM executable's
# generated main would clash with libFuzzer's).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
out="${1:-$root/.build-fuzz/multipart-fuzzer}"
mkdir -p "$(dirname "$out")"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name HTTP \
  "$root"/Sources/HTTP/*.swift "$here/FuzzEntry.swift" -o "$out"
echo "$out"
