#!/usr/bin/env bash
# Builds the libFuzzer binary for the safetensors header parser.
#
# SwiftPM cannot build it as an executable target (its generated main clashes with libFuzzer's),
# so swiftc compiles the Weights sources and the entry file as one module.
# Usage: Fuzz/SafetensorsHeader/build.sh [output-directory]   (default: .build/fuzz)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
output="${1:-$root/.build/fuzz}"
mkdir -p "$output"
swiftc -sanitize=fuzzer,address -parse-as-library -O \
    -swift-version 6 -enable-upcoming-feature ExistentialAny \
    -module-name WeightsFuzz \
    -I "$root/Sources/CCrypto" \
    "$root"/Sources/Weights/*.swift "$here/FuzzSafetensorsHeader.swift" \
    -lcrypto \
    -o "$output/fuzz-safetensors-header"
echo "$output/fuzz-safetensors-header"
