#!/usr/bin/env bash
# Builds the libFuzzer binary for the CLIP tokenizer: the tokenizer's own sources (no Tensor or
# Layers dependency) plus the entry file. Usage: Fuzz/CLIPTokenizer/build.sh [output]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
output="${1:-$root/.build/fuzz/clip-tokenizer-fuzzer}"
mkdir -p "$(dirname "$output")"
sources=(
    AddedToken.swift
    ByteLevelEncoding.swift
    BytePairEncoder.swift
    CLIPPreTokenizer.swift
    CLIPTextNormalizer.swift
    CLIPTokenizer.swift
    CLIPTokenizerConfiguration.swift
    PythonUnicode.swift
    TokenizerError.swift
)
swiftc -sanitize=fuzzer -parse-as-library -O -swift-version 6 -enable-upcoming-feature ExistentialAny \
    -module-name CLIPTokenizerFuzz \
    "${sources[@]/#/$root/Sources/Text/}" "$here/CLIPTokenizerFuzzTarget.swift" \
    -o "$output"
echo "$output"
