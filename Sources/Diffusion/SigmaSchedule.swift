// Noise-level (σ) helpers shared by the k-diffusion-style schedulers, following the numpy code in
// diffusers 0.35.2 `EulerDiscreteScheduler` / `DPMSolverMultistepScheduler` (`np.interp`,
// `_convert_to_karras`, `_sigma_to_t`), in double precision like numpy.

import Foundation

enum SigmaSchedule {
    /// `np.interp(x, 0..<table.count, table)`: piecewise-linear lookup, clamped at both ends.
    static func interpolate(_ x: Double, in table: [Double]) -> Double {
        guard x > 0 else { return table[0] }
        let last = table.count - 1
        guard x < Double(last) else { return table[last] }
        let lower = Int(x.rounded(.down))
        let fraction = x - Double(lower)
        let slope = table[lower + 1] - table[lower]
        return slope * fraction + table[lower]
    }

    /// The Karras et al. 2022 schedule ("Elucidating the Design Space of Diffusion-Based Generative
    /// Models", arXiv:2206.00364, Eq. 5, ρ = 7): σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ.
    static func karras(sigmaMin: Double, sigmaMax: Double, count: Int) -> [Double] {
        let rho = 7.0
        let minInverse = pow(sigmaMin, 1 / rho), maxInverse = pow(sigmaMax, 1 / rho)
        return TimestepSpacing.linspace(0, 1, count: count).map { ramp in
            pow(maxInverse + ramp * (minInverse - maxInverse), rho)
        }
    }

    /// The fractional training timestep whose log-σ matches `sigma`, by linear interpolation in log σ
    /// (diffusers `_sigma_to_t`). `logSigmas` is ascending (float32 values widened).
    static func timestep(forSigma sigma: Double, logSigmas: [Double]) -> Double {
        let logSigma = Foundation.log(max(sigma, 1e-10))
        // The last index whose log σ is ≤ logSigma (0 when none), capped so a right neighbour exists.
        var lowIndex = 0
        for (i, value) in logSigmas.enumerated() where logSigma - value >= 0 { lowIndex = i }
        lowIndex = min(lowIndex, logSigmas.count - 2)
        let low = logSigmas[lowIndex], high = logSigmas[lowIndex + 1]
        let weight = min(max((low - logSigma) / (low - high), 0), 1)
        return (1 - weight) * Double(lowIndex) + weight * Double(lowIndex + 1)
    }

    /// `np.log` of float32 σ values, rounded back to float32 as numpy does for a float32 array.
    static func logSigmas(_ sigmas: [Double]) -> [Double] {
        sigmas.map { Double(Foundation.log(Float($0))) }
    }
}
