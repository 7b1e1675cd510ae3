// Follows DiffusionDet `cosine_beta_schedule` and the buffers of `DiffusionDet.__init__` / the time pairs of
// `ddim_sample` (diffusiondet/detector.py @1efb36d).

import Foundation

/// The cosine noise schedule (Nichol & Dhariwal 2021, Eq. 17) with s = 0.008, in Double as the official
/// float64 buffers: `ᾱ(t) = f(t)/f(0)`, `f(t) = cos²(((t/T) + s)/(1 + s)·π/2)`, betas clipped to [0, 0.999],
/// and ᾱ recomputed as the cumulative product of `1 − β`.
public struct CosineSchedule: Sendable, Equatable {
    /// ᾱ_t for t = 0…T−1.
    public let alphasCumprod: [Double]

    public init(timesteps: Int, offset s: Double = 0.008) {
        let count = max(timesteps, 1)
        let f = (0...count).map { step -> Double in
            let angle = ((Double(step) / Double(count)) + s) / (1 + s) * Double.pi * 0.5
            return cos(angle) * cos(angle)
        }
        var product = 1.0
        alphasCumprod = (0..<count).map { t in
            let beta = min(max(1 - (f[t + 1] / f[0]) / (f[t] / f[0]), 0), 0.999)
            product *= 1 - beta
            return product
        }
    }

    /// T.
    public var timesteps: Int { alphasCumprod.count }

    /// `√(1/ᾱ_t)`.
    public func sqrtReciprocalAlphaCumprod(_ t: Int) -> Double { (1 / alphasCumprod[t]).squareRoot() }

    /// `√(1/ᾱ_t − 1)`.
    public func sqrtReciprocalAlphaCumprodMinusOne(_ t: Int) -> Double { (1 / alphasCumprod[t] - 1).squareRoot() }

    /// The (t, t_next) pairs of `ddim_sample` for `steps` sampling steps:
    /// `torch.linspace(-1, T-1, steps+1)` (float32) truncated to integers, reversed and paired;
    /// the last pair has `t_next = −1`.
    public func timePairs(steps: Int) -> [(current: Int, next: Int)] {
        let times = Self.linspaceTruncated(start: -1, end: Float(timesteps - 1), count: max(steps, 1) + 1).reversed()
        return Array(zip(times.dropLast(), times.dropFirst())).map { (current: $0.0, next: $0.1) }
    }

    /// `torch.linspace(start, end, count)` in float32 (the first half counted up from `start`, the second
    /// half down from `end`, as ATen's kernel does), then `.int()` (truncation toward zero).
    static func linspaceTruncated(start: Float, end: Float, count: Int) -> [Int] {
        guard count > 1 else { return [Int(start)] }
        let step = (end - start) / Float(count - 1)
        let halfway = count / 2
        return (0..<count).map { index in
            let value = index < halfway ? start + step * Float(index) : end - step * Float(count - index - 1)
            return Int(value)
        }
    }
}
