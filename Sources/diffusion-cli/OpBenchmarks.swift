// The op benchmark cases: tiny-UNet and SD-1.5 UNet shapes (DESIGN.md §5, perf_baseline.md §3).
// Tools/bench/torch_ops.py defines the same cases (same names) for the PyTorch peer.

import Foundation
import Tensor

/// The GEMM a case is compared against: `repeats` calls of sgemm M×N×K (row-major, no transposes).
struct GEMMShape {
    var m, n, k: Int
    var repeats = 1
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(repeats) }
}

struct OpBenchmarkResult {
    var name, shape: String
    var seconds: Double
    var flops: Double?
    var sgemmSeconds: Double?

    var gflops: Double? { flops.map { $0 / seconds / 1e9 } }
    var sgemmGFLOPS: Double? { sgemmSeconds.flatMap { seconds in flops.map { $0 / seconds / 1e9 } } }

    func tableRow(threads: Int) -> String {
        func f(_ value: Double?, _ digits: Int = 1) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "—" }
        let ratio = sgemmSeconds.map { String(format: "%.2f", $0 / seconds) } ?? "—"
        return "| \(name) | \(shape) | \(threads) | \(f(seconds * 1e3, 3)) | \(f(gflops)) | \(f(sgemmGFLOPS)) | \(ratio) |"
    }

    func jsonLine(threads: Int, kernel: String) -> String {
        var object: [String: Any] = ["case": name, "shape": shape, "threads": threads, "seconds": seconds, "kernel": kernel, "impl": "swift"]
        if let flops { object["flops"] = flops }
        if let sgemmSeconds { object["sgemm_seconds"] = sgemmSeconds }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Deterministic pseudo-random inputs (values in [−1, 1)).
func benchTensor(_ shape: [Int], seed: UInt64 = 1, scale: Float = 1) -> Tensor {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var values = [Float](repeating: 0, count: shape.reduce(1, *))
    for index in values.indices {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        values[index] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
    }
    return Tensor(shape: shape, values: values)
}

struct OpBenchmarkCase {
    var name: String
    var shapeDescription: String
    var flops: Double?
    var gemm: [GEMMShape]
    /// Builds inputs once and returns the timed closure.
    var prepare: () throws -> () throws -> Void

    func measure(rounds: Int) throws -> OpBenchmarkResult {
        let op = try prepare()
        let sgemm = SGEMMRunner(shapes: gemm)
        try op()  // warm-up (also fills the buffer pool)
        sgemm.run()
        // Each sample repeats the call until ≥ 20 ms; ours and sgemm alternate.
        let repeats = max(1, Int((0.02 / max(try time(op), 1e-6)).rounded(.up)))
        let sgemmRepeats = gemm.isEmpty ? 0 : max(1, Int((0.02 / max(time(sgemm.run), 1e-6)).rounded(.up)))
        var ours: [Double] = [], peer: [Double] = []
        for _ in 0..<max(1, rounds) {
            ours.append(try time { for _ in 0..<repeats { try op() } } / Double(repeats))
            if sgemmRepeats > 0 { peer.append(time { for _ in 0..<sgemmRepeats { sgemm.run() } } / Double(sgemmRepeats)) }
        }
        return OpBenchmarkResult(name: name, shape: shapeDescription, seconds: median(ours), flops: flops,
                                 sgemmSeconds: peer.isEmpty ? nil : median(peer))
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Plain sgemm on preallocated operands (threaded by OpenBLAS with ComputeThreads.count threads).
final class SGEMMRunner {
    private let operands: [(GEMMShape, Tensor, Tensor, Tensor)]

    init(shapes: [GEMMShape]) {
        operands = shapes.map { shape in
            (shape, benchTensor([shape.m, shape.k], seed: 7), benchTensor([shape.k, shape.n], seed: 8), Tensor.zeros([shape.m, shape.n]))
        }
    }

    func run() {
        for (shape, a, b, c) in operands {
            for _ in 0..<shape.repeats {
                BLAS.sgemm(m: shape.m, n: shape.n, k: shape.k, a: a.basePointer, lda: shape.k, b: b.basePointer, ldb: shape.n,
                           c: UnsafeMutablePointer(mutating: c.basePointer), ldc: shape.n)
            }
        }
    }
}

extension OpBenchmarkCase {
    static func sgemm(_ n: Int) -> OpBenchmarkCase {
        let shape = GEMMShape(m: n, n: n, k: n)
        return OpBenchmarkCase(name: "sgemm_\(n)", shapeDescription: "\(n)×\(n)×\(n)", flops: shape.flops, gemm: [shape]) {
            let a = benchTensor([n, n]), b = benchTensor([n, n], seed: 2)
            return { _ = try Tensor.matmul(a, b) }
        }
    }

    static func conv3x3(_ name: String, batch: Int = 1, channels: Int, size: Int) -> OpBenchmarkCase {
        let gemm = GEMMShape(m: channels, n: size * size, k: channels * 9, repeats: batch)
        return OpBenchmarkCase(name: name, shapeDescription: "\(batch)×\(channels)×\(size)² → \(channels), 3×3 p1",
                               flops: gemm.flops, gemm: [gemm]) {
            let x = benchTensor([batch, channels, size, size])
            let w = benchTensor([channels, channels, 3, 3], seed: 3, scale: 0.05), b = benchTensor([channels], seed: 4)
            return { _ = try Tensor.conv2d(x, weight: w, bias: b, parameters: Conv2DParameters(padding: 1)) }
        }
    }

    static func linear(_ name: String, tokens: Int, inFeatures: Int, outFeatures: Int) -> OpBenchmarkCase {
        let gemm = GEMMShape(m: tokens, n: outFeatures, k: inFeatures)
        return OpBenchmarkCase(name: name, shapeDescription: "\(tokens) tok, \(inFeatures) → \(outFeatures)", flops: gemm.flops, gemm: [gemm]) {
            let x = benchTensor([1, tokens, inFeatures]), w = benchTensor([outFeatures, inFeatures], seed: 5, scale: 0.05)
            let b = benchTensor([outFeatures], seed: 6)
            return { _ = try Tensor.linear(x, weight: w, bias: b) }
        }
    }

    static func attention(_ name: String, batch: Int = 1, heads: Int, queries: Int, keys: Int, depth: Int) -> OpBenchmarkCase {
        let scores = GEMMShape(m: queries, n: keys, k: depth, repeats: batch * heads)
        let values = GEMMShape(m: queries, n: depth, k: keys, repeats: batch * heads)
        return OpBenchmarkCase(name: name, shapeDescription: "b\(batch) h\(heads) \(queries)×\(keys) d\(depth)",
                               flops: scores.flops + values.flops, gemm: [scores, values]) {
            let q = benchTensor([batch, heads, queries, depth]), k = benchTensor([batch, heads, keys, depth], seed: 2)
            let v = benchTensor([batch, heads, keys, depth], seed: 3)
            return { _ = try Tensor.scaledDotProductAttention(query: q, key: k, value: v) }
        }
    }

    static func pointwise(_ name: String, _ shape: [Int], _ description: String, _ body: @escaping (Tensor) throws -> Tensor) -> OpBenchmarkCase {
        OpBenchmarkCase(name: name, shapeDescription: description, flops: nil, gemm: []) {
            let x = benchTensor(shape, scale: 3)
            return { _ = try body(x) }
        }
    }

    /// The benchmark list (names match Tools/bench/torch_ops.py).
    static var all: [OpBenchmarkCase] { [
        sgemm(1024),
        sgemm(2048),
        // Tiny UNet (64/128/256 channels, 32×32 latent).
        conv3x3("conv3x3_tiny_64x32", channels: 64, size: 32),
        conv3x3("conv3x3_tiny_128x16", channels: 128, size: 16),
        conv3x3("conv3x3_tiny_256x8", channels: 256, size: 8),
        // SD-1.5 UNet levels (64×64 latent).
        conv3x3("conv3x3_sd_320x64", channels: 320, size: 64),
        conv3x3("conv3x3_sd_640x32", channels: 640, size: 32),
        conv3x3("conv3x3_sd_1280x16", channels: 1280, size: 16),
        conv3x3("conv3x3_sd_1280x8", channels: 1280, size: 8),
        linear("linear_sd_320_4096tok", tokens: 4096, inFeatures: 320, outFeatures: 320),
        linear("linear_sd_geglu_320to2560", tokens: 4096, inFeatures: 320, outFeatures: 2560),
        linear("linear_sd_ff_1280to320", tokens: 4096, inFeatures: 1280, outFeatures: 320),
        linear("linear_clip_768to3072_77tok", tokens: 77, inFeatures: 768, outFeatures: 3072),
        attention("attention_sd_self_4096", heads: 8, queries: 4096, keys: 4096, depth: 40),
        attention("attention_sd_cross_4096x77", heads: 8, queries: 4096, keys: 77, depth: 40),
        attention("attention_tiny_self_1024", heads: 8, queries: 1024, keys: 1024, depth: 8),
        pointwise("group_norm_silu_sd_320x64", [1, 320, 64, 64], "1×320×64², 32 groups, +SiLU") {
            try Tensor.groupNorm($0, groups: 32, eps: 1e-5, fusedSiLU: true)
        },
        pointwise("layer_norm_sd_4096x320", [1, 4096, 320], "1×4096×320") { try Tensor.layerNorm($0, normalizedShape: [320]) },
        pointwise("gelu_sd_4096x1280", [1, 4096, 1280], "1×4096×1280 (erf)") { $0.gelu() },
        pointwise("silu_sd_1280x16", [1, 1280, 16, 16], "1×1280×16²") { $0.silu() },
        pointwise("softmax_sd_8x4096x77", [8, 4096, 77], "8×4096×77, last dim") { try $0.softmax() },
        pointwise("upsample_nearest_sd_1280x16", [1, 1280, 16, 16], "1×1280×16² → 32²") { try $0.upsampleNearest(scaleFactor: (2, 2)) },
    ] }
}
