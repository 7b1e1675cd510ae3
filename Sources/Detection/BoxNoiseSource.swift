// Where the sampler's Gaussian box draws come from: a seeded generator, or a recording for parity tests.

import Diffusion

/// One Gaussian draw the sampler asks for, in the order `ddim_sample` makes them: the initial boxes, then
/// for every step but the last the DDIM noise of the kept boxes and the fresh boxes that replace the rest.
public enum BoxNoiseDraw: Sendable, Equatable, CustomStringConvertible {
    /// (N, 4) initial boxes.
    case initial
    /// (kept, 4) DDIM noise after step `step` (0-based).
    case ddim(step: Int)
    /// (N − kept, 4) replacement boxes after step `step`.
    case renewal(step: Int)

    public var description: String {
        switch self {
        case .initial: return "initial boxes"
        case .ddim(let step): return "DDIM noise of step \(step)"
        case .renewal(let step): return "renewal boxes of step \(step)"
        }
    }
}

/// A source of standard-normal box coordinates for `DiffusionDetSampler`.
public protocol BoxNoiseSource {
    /// `rows × 4` standard-normal values (row-major) for `draw`.
    mutating func draw(_ draw: BoxNoiseDraw, rows: Int) throws(DetectionError) -> [Double]
}

/// Draws from `torch.Generator().manual_seed(seed)` as `torch.randn(rows, 4)` in float32, one call per draw,
/// so a request is reproducible from its seed. (The official code draws the DDIM noise of later steps in
/// float64, from another stream; bit-equality with it is only available by replaying recorded draws.)
public struct SeededBoxNoise: BoxNoiseSource, Sendable {
    public private(set) var generator: TorchGenerator

    public init(seed: UInt64) {
        generator = TorchGenerator(seed: seed)
    }

    public mutating func draw(_ draw: BoxNoiseDraw, rows: Int) throws(DetectionError) -> [Double] {
        generator.randn(count: rows * 4).map(Double.init)
    }
}

/// Replays draws recorded from the reference implementation, in order; a draw of another size than the
/// sampler asks for, or running out, is a `DetectionError.noiseMismatch`. A request for zero rows consumes
/// a recorded draw only when the next one is empty (recordings may or may not keep empty draws).
public struct RecordedBoxNoise: BoxNoiseSource, Sendable {
    public let draws: [[Double]]
    /// Index of the next recorded draw.
    public private(set) var position = 0

    public init(draws: [[Double]]) {
        self.draws = draws
    }

    /// Whether every recorded draw has been used.
    public var isExhausted: Bool { position == draws.count }

    public mutating func draw(_ draw: BoxNoiseDraw, rows: Int) throws(DetectionError) -> [Double] {
        if rows == 0 {
            if position < draws.count && draws[position].isEmpty { position += 1 }
            return []
        }
        guard position < draws.count else {
            throw .noiseMismatch(draw: position, reason: "no recorded draw left for the \(draw) (\(rows) rows)")
        }
        let values = draws[position]
        guard values.count == rows * 4 else {
            throw .noiseMismatch(draw: position,
                                 reason: "the \(draw) needs \(rows * 4) values, the recording holds \(values.count)")
        }
        position += 1
        return values
    }
}
