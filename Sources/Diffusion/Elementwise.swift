// Fused element-wise kernels for scheduler updates: one pass, one output allocation per call.
// (Tensor offers binary ops that allocate per operation; a scheduler step needs a handful of
// scaled sums, so they are written here as single loops.)

import Tensor

enum Elementwise {
    /// Throws unless all tensors have the same shape.
    static func requireSameShape(_ operation: String, _ tensors: Tensor...) throws(SchedulerError) {
        guard let first = tensors.first else { return }
        if tensors.contains(where: { $0.shape != first.shape }) {
            throw .shapeMismatch(operation: operation, shapes: tensors.map(\.shape))
        }
    }

    /// `ca·a`.
    static func scaled(_ a: Tensor, _ ca: Float) -> Tensor {
        map(a) { ca * $0 }
    }

    /// `ca·a + cb·b` (same shapes).
    static func sum(_ a: Tensor, _ ca: Float, _ b: Tensor, _ cb: Float) -> Tensor {
        map(a, b) { ca * $0 + cb * $1 }
    }

    /// `ca·a + cb·b + cc·c` (same shapes).
    static func sum(_ a: Tensor, _ ca: Float, _ b: Tensor, _ cb: Float, _ c: Tensor, _ cc: Float) -> Tensor {
        map(a, b, c) { ca * $0 + cb * $1 + cc * $2 }
    }

    /// `Σ c_k·x_k` (same shapes, at least one term).
    static func sum(_ terms: [(Tensor, Float)]) -> Tensor {
        var result = scaled(terms[0].0, terms[0].1)
        result.withUnsafeMutableBufferPointer { out in
            for (tensor, coefficient) in terms.dropFirst() {
                tensor.withUnsafeBufferPointer { x in
                    for i in 0..<out.count { out[i] += coefficient * x[i] }
                }
            }
        }
        return result
    }

    @inline(__always)
    static func map(_ a: Tensor, _ body: (Float) -> Float) -> Tensor {
        var result = Tensor(uninitializedShape: a.shape)
        a.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count { out[i] = body(x[i]) }
            }
        }
        return result
    }

    @inline(__always)
    static func map(_ a: Tensor, _ b: Tensor, _ body: (Float, Float) -> Float) -> Tensor {
        var result = Tensor(uninitializedShape: a.shape)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                result.withUnsafeMutableBufferPointer { out in
                    for i in 0..<out.count { out[i] = body(x[i], y[i]) }
                }
            }
        }
        return result
    }

    @inline(__always)
    static func map(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ body: (Float, Float, Float) -> Float) -> Tensor {
        var result = Tensor(uninitializedShape: a.shape)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                c.withUnsafeBufferPointer { z in
                    result.withUnsafeMutableBufferPointer { out in
                        for i in 0..<out.count { out[i] = body(x[i], y[i], z[i]) }
                    }
                }
            }
        }
        return result
    }
}

/// Clipping or dynamic thresholding of a predicted x₀ (diffusers `clip_sample` / `thresholding`).
///
/// Dynamic thresholding is Saharia et al. 2022 ("Imagen", arXiv:2205.11487 §2.3): per batch item,
/// s = clamp(quantile(|x₀|, ratio), 1, sample_max_value); x₀ ← clamp(x₀, −s, s) / s.
enum SampleClipping: Sendable, Equatable {
    case none
    case clip(range: Float)
    case dynamicThreshold(ratio: Double, maxValue: Float)

    func apply(_ x0: Tensor) -> Tensor {
        switch self {
        case .none:
            return x0
        case let .clip(range):
            return Elementwise.map(x0) { min(max($0, -range), range) }
        case let .dynamicThreshold(ratio, maxValue):
            let batch = max(x0.shape.first ?? 1, 1)
            var result = x0.copy()
            result.withUnsafeMutableBufferPointer { values in
                let perItem = values.count / batch
                guard perItem > 0 else { return }
                for b in 0..<batch {
                    let item = UnsafeMutableBufferPointer(rebasing: values[(b * perItem)..<((b + 1) * perItem)])
                    let sorted = item.map { abs($0) }.sorted()
                    // torch.quantile, linear interpolation.
                    let position = ratio * Double(perItem - 1)
                    let lower = Int(position.rounded(.down))
                    let upper = min(lower + 1, perItem - 1)
                    let fraction = Float(position - Double(lower))
                    let quantile = sorted[lower] + fraction * (sorted[upper] - sorted[lower])
                    let s = min(max(quantile, 1), maxValue)
                    for i in item.indices { item[i] = min(max(item[i], -s), s) / s }
                }
            }
            return result
        }
    }
}
