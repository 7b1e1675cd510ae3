#!/usr/bin/env bash
# Builds the libFuzzer binary for ImageDecoder (PNG via libpng, JPEG via TurboJPEG).
#
# SwiftPM cannot build it as an executable target (its generated main clashes with libFuzzer's),
# so swiftc compiles the ImageIO sources and the entry file as one module; -I points clang at
# the CPNG and CTurboJPEG module maps, and the libraries are linked explicitly.
# Usage: Fuzz/ImageDecoder/build.sh [output-directory]   (default: .build/fuzz)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
output="${1:-$root/.build/fuzz}"
mkdir -p "$output"
swiftc -sanitize=fuzzer,address -parse-as-library -O \
    -swift-version 6 -enable-upcoming-feature ExistentialAny \
    -module-name ImageIOFuzz \
    -I "$root/Sources/CPNG" -I "$root/Sources/CTurboJPEG" \
    "$root"/Sources/ImageIO/*.swift "$here/FuzzImageDecoder.swift" \
    -lpng16 -lturbojpeg \
    -o "$output/fuzz-image-decoder"
echo "$output/fuzz-image-decoder"
