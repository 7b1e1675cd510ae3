// The forward-process variance schedule β_1…β_T (diffusers `beta_schedule`), computed in float32
// the way `torch.linspace`/`torch.cumprod` compute it in diffusers 0.35.2.

import Foundation

/// How the per-step noise variances β_t are laid out over the training timesteps.
///
/// - `linear`: β evenly spaced from `beta_start` to `beta_end` (Ho et al. 2020, arXiv:2006.11239 §4).
/// - `scaledLinear`: √β evenly spaced, then squared — the latent-diffusion / Stable Diffusion schedule
///   (Rombach et al. 2022, arXiv:2112.10752; 0.00085 → 0.012 over 1000 steps).
/// - `squaredcosCapV2`: the cosine schedule ᾱ(t) = cos²((t/T + 0.008)/1.008 · π/2), β capped at 0.999
///   (Nichol & Dhariwal 2021, "Improved Denoising Diffusion Probabilistic Models", arXiv:2102.09672 §3.2).
public enum BetaSchedule: String, Sendable, Codable, CaseIterable {
    case linear
    case scaledLinear = "scaled_linear"
    case squaredcosCapV2 = "squaredcos_cap_v2"

    /// β_1…β_T as float32.
    public func betas(trainSteps: Int, start: Double, end: Double) -> [Float] {
        switch self {
        case .linear:
            return Self.float32Linspace(Float(start), Float(end), count: trainSteps)
        case .scaledLinear:
            return Self.float32Linspace(Float(start.squareRoot()), Float(end.squareRoot()), count: trainSteps).map { $0 * $0 }
        case .squaredcosCapV2:
            func alphaBar(_ t: Double) -> Double {
                let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
                return c * c
            }
            return (0..<trainSteps).map { i in
                let t1 = Double(i) / Double(trainSteps)
                let t2 = Double(i + 1) / Double(trainSteps)
                return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
            }
        }
    }

    /// `torch.linspace(start, end, count, dtype=float32)`: the first half counted up from `start`, the
    /// second half down from `end`, in float32.
    static func float32Linspace(_ start: Float, _ end: Float, count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (end - start) / Float(count - 1)
        let halfway = count / 2
        return (0..<count).map { i in
            i < halfway ? start + step * Float(i) : end - step * Float(count - i - 1)
        }
    }
}

/// The discretised forward process shared by all schedulers: β_t, α_t = 1 − β_t and ᾱ_t = ∏ α_s,
/// as float32 (diffusers keeps them as float32 tensors).
public struct NoiseSchedule: Sendable, Equatable {
    /// β_t for t = 0 … T−1.
    public let betas: [Float]
    /// ᾱ_t (`alphas_cumprod`) for t = 0 … T−1.
    public let alphasCumprod: [Float]

    /// Number of training timesteps T.
    public var trainSteps: Int { betas.count }

    /// Builds the schedule from explicit betas, optionally rescaled to zero terminal SNR
    /// (Lin et al. 2023, arXiv:2305.08891 Algorithm 1).
    public init(betas rawBetas: [Float], rescaleToZeroTerminalSNR: Bool = false) {
        var betas = rawBetas
        if rescaleToZeroTerminalSNR { betas = Self.rescaledToZeroTerminalSNR(betas) }
        self.betas = betas
        // torch.cumprod on float32 CPU tensors accumulates in double and rounds each partial product.
        var product = 1.0
        alphasCumprod = betas.map { beta in
            product *= Double(1 - beta)
            return Float(product)
        }
    }

    /// Builds the schedule from a named beta schedule.
    public init(schedule: BetaSchedule, trainSteps: Int, betaStart: Double, betaEnd: Double,
                rescaleToZeroTerminalSNR: Bool = false) {
        self.init(betas: schedule.betas(trainSteps: trainSteps, start: betaStart, end: betaEnd),
                  rescaleToZeroTerminalSNR: rescaleToZeroTerminalSNR)
    }

    /// k-diffusion noise levels σ_t = √((1 − ᾱ_t)/ᾱ_t), ascending in t (double precision of float32 inputs).
    public var sigmas: [Double] {
        alphasCumprod.map { Double(Float(((1 - $0) / $0).squareRoot())) }
    }

    private static func rescaledToZeroTerminalSNR(_ betas: [Float]) -> [Float] {
        var product: Float = 1
        var roots = betas.map { beta -> Float in
            product *= 1 - beta
            return product.squareRoot()
        }
        guard let first = roots.first, let last = roots.last, first != last else { return betas }
        for i in roots.indices { roots[i] = (roots[i] - last) * (first / (first - last)) }
        let bars = roots.map { $0 * $0 }
        var alphas = [bars[0]]
        for i in 1..<bars.count { alphas.append(bars[i] / bars[i - 1]) }
        return alphas.map { 1 - $0 }
    }
}
