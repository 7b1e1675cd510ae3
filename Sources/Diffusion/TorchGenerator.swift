// Follows PyTorch's CPU generator (`at::CPUGeneratorImpl`, `at::mt19937`) and the float32
// `normal_` kernels in `aten/src/ATen/native/cpu/DistributionTemplates.h` as shipped in torch 2.x.
// Own implementation from the published algorithms; no PyTorch code is copied.

import Foundation
import Tensor

/// A seeded random source that reproduces `torch.Generator("cpu").manual_seed(seed)` followed by
/// `torch.randn(shape, generator: g)` / `torch.rand(shape, generator: g)` on float32, bit for bit.
///
/// The facts it relies on (PyTorch's CPU generator):
/// - The engine is MT19937 (Matsumoto & Nishimura 1998) with the reference 32-bit seeding
///   `s[i] = 1812433253 · (s[i−1] ⊕ (s[i−1] ≫ 30)) + i`; the seed is truncated to its low 32 bits.
/// - A float uniform is `(r & (2²⁴−1)) · 2⁻²⁴` of one 32-bit draw; a double uniform uses a 64-bit
///   value made of two draws (first draw = high word) masked to 53 bits.
/// - `randn` on a contiguous float32 tensor of **16 or more** elements first fills every element with
///   a float uniform, then transforms each block of 16 by Box–Muller over the pairs (j, j+8) with the
///   single-precision Cephes polynomials of `avx_mathfun.h` (`log256_ps`, `sincos256_ps`, compiled
///   with fused multiply-adds); when the count is not a multiple of 16 the last 16 values are drawn
///   again and transformed as one more block.
/// - Below 16 elements `randn` draws each value from the double-precision Box–Muller sampler, which
///   caches its second (sine) value in the generator; the cache survives across calls until reseeded.
///
/// A value type: copying a generator forks its stream. Not thread-safe by itself; give each request
/// its own generator.
public struct TorchGenerator: Sendable {
    private static let stateSize = 624
    private static let shift = 397

    /// The seed this generator was created with.
    public let seed: UInt64
    private var state: [UInt32]
    private var index: Int
    private var cachedDoubleNormal: Double?

    /// Equivalent of `torch.Generator("cpu").manual_seed(seed)`.
    public init(seed: UInt64) {
        self.seed = seed
        var state = [UInt32](repeating: 0, count: Self.stateSize)
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<Self.stateSize {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.state = state
        index = Self.stateSize
        cachedDoubleNormal = nil
    }

    // MARK: Engine

    /// The next raw 32-bit output of the MT19937 engine (`generator->random()`).
    public mutating func nextUInt32() -> UInt32 {
        if index >= Self.stateSize { regenerate() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Two engine outputs combined as `(first << 32) | second` (`generator->random64()`).
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        let low = UInt64(nextUInt32())
        return (high << 32) | low
    }

    private mutating func regenerate() {
        state.withUnsafeMutableBufferPointer { Self.twist($0) }
        index = 0
    }

    /// The MT19937 state transition over all 624 words.
    private static func twist(_ s: UnsafeMutableBufferPointer<UInt32>) {
        let n = stateSize
        for i in 0..<n {
            let y = (s[i] & 0x8000_0000) | (s[(i + 1) % n] & 0x7FFF_FFFF)
            var next = y >> 1
            if y & 1 != 0 { next ^= 0x9908_B0DF }
            s[i] = s[(i + shift) % n] ^ next
        }
    }

    /// Writes `count` float uniforms, exactly as `count` calls of `nextUniformFloat()` would, with the
    /// engine state borrowed once (the hot loop of `randn`).
    private mutating func fillUniformFloats(_ destination: UnsafeMutablePointer<Float>, count: Int) {
        var position = index
        state.withUnsafeMutableBufferPointer { s in
            for i in 0..<count {
                if position >= Self.stateSize {
                    Self.twist(s)
                    position = 0
                }
                var y = s[position]
                position += 1
                y ^= y >> 11
                y ^= (y << 7) & 0x9D2C_5680
                y ^= (y << 15) & 0xEFC6_0000
                y ^= y >> 18
                destination[i] = Float(y & 0xFF_FFFF) * (1.0 / 16_777_216.0)
            }
        }
        index = position
    }

    // MARK: Uniforms

    /// A float uniform in [0, 1) from one 32-bit draw (`uniform_real_distribution<float>(0, 1)`).
    @inline(__always)
    public mutating func nextUniformFloat() -> Float {
        Float(nextUInt32() & 0xFF_FFFF) * (1.0 / 16_777_216.0)
    }

    /// A double uniform in [0, 1) from one 64-bit draw (`uniform_real_distribution<double>(0, 1)`).
    public mutating func nextUniformDouble() -> Double {
        Double(nextUInt64() & ((1 << 53) - 1)) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// One standard normal from the double-precision Box–Muller sampler with its one-value cache
    /// (`at::normal_distribution<double>`), as used by `randn` for tensors of fewer than 16 elements.
    public mutating func nextNormalDouble() -> Double {
        if let cached = cachedDoubleNormal {
            cachedDoubleNormal = nil
            return cached
        }
        let u1 = nextUniformDouble()
        let u2 = nextUniformDouble()
        let radius = (-2.0 * log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        cachedDoubleNormal = radius * sin(theta)
        return radius * cos(theta)
    }

    // MARK: Tensors

    /// `torch.rand(count, generator: g)` for float32: one float uniform per element.
    public mutating func rand(count: Int) -> [Float] {
        precondition(count >= 0, "count must not be negative")
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = nextUniformFloat() }
        return values
    }

    /// `torch.randn(count, generator: g)` for float32.
    public mutating func randn(count: Int) -> [Float] {
        precondition(count >= 0, "count must not be negative")
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { fillNormal($0) }
        return values
    }

    /// `torch.randn(shape, generator: g)` for float32, as a contiguous tensor.
    public mutating func randn(shape: [Int]) -> Tensor {
        var tensor = Tensor(uninitializedShape: shape)
        tensor.withUnsafeMutableBufferPointer { fillNormal($0) }
        return tensor
    }

    /// diffusers' `randn_tensor(shape, generator=[g₀, g₁, …])`: batch item i is `randn(shape[1...])` drawn
    /// from `generators[i]` (one seed per image). Throws when the count differs from `shape[0]`.
    public static func randn(shape: [Int], generators: inout [TorchGenerator]) throws(SchedulerError) -> Tensor {
        guard let batch = shape.first, batch == generators.count else {
            throw .shapeMismatch(operation: "randn with one generator per batch item", shapes: [shape, [generators.count]])
        }
        var tensor = Tensor(uninitializedShape: shape)
        let itemCount = shape.dropFirst().reduce(1, *)
        tensor.withUnsafeMutableBufferPointer { buffer in
            for item in 0..<batch {
                generators[item].fillNormal(UnsafeMutableBufferPointer(rebasing: buffer[(item * itemCount)..<((item + 1) * itemCount)]))
            }
        }
        return tensor
    }

    /// Fills `buffer` exactly as `torch.randn` fills a contiguous float32 tensor of that many elements.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let count = buffer.count
        guard let base = buffer.baseAddress, count > 0 else { return }
        if count < 16 {
            for i in 0..<count { base[i] = Float(nextNormalDouble()) }
            return
        }
        fillUniformFloats(base, count: count)
        var start = 0
        while start + 16 <= count {
            Self.boxMuller16(base + start)
            start += 16
        }
        if count % 16 != 0 {
            let tail = base + (count - 16)
            fillUniformFloats(tail, count: 16)
            Self.boxMuller16(tail)
        }
    }

    /// Box–Muller over 16 uniforms in place: lanes j and j+8 become radius·cos θ and radius·sin θ.
    @inline(__always)
    private static func boxMuller16(_ block: UnsafeMutablePointer<Float>) {
        let twoPi = Float(2.0 * Double.pi)
        for j in 0..<8 {
            let u1 = 1 - block[j]
            let u2 = block[j + 8]
            let radius = (-2 * CephesFloat.log(u1)).squareRoot()
            let (sine, cosine) = CephesFloat.sincos(twoPi * u2)
            block[j] = radius * cosine
            block[j + 8] = radius * sine
        }
    }
}
