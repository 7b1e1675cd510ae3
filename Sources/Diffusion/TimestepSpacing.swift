// How inference timesteps are picked from the training schedule (diffusers `timestep_spacing`).

/// The rule that selects `n` inference timesteps out of `T` training timesteps.
///
/// The three rules are compared in Lin et al. 2023, "Common Diffusion Noise Schedules and Sample
/// Steps are Flawed" (arXiv:2305.08891, Table 2):
/// - `leading`: `k·⌊T/n⌋ + steps_offset` for k = n−1 … 0 (DDIM's original choice, Song et al. 2020).
/// - `trailing`: `round(T − k·T/n) − 1` for k = 0 … n−1, so the first step is always T−1.
/// - `linspace`: `round(linspace(0, T−1, n))` reversed (used by the k-diffusion samplers).
public enum TimestepSpacing: String, Sendable, Codable, CaseIterable {
    case leading
    case trailing
    case linspace

    /// The integer timesteps, descending, exactly as diffusers' DDPM/DDIM `set_timesteps` builds them.
    func integerTimesteps(trainSteps: Int, inferenceSteps n: Int, stepsOffset: Int) -> [Int] {
        switch self {
        case .linspace:
            return Self.linspace(0, Double(trainSteps - 1), count: n).reversed().map { Int($0.rounded(.toNearestOrEven)) }
        case .leading:
            let ratio = trainSteps / n
            return (0..<n).reversed().map { $0 * ratio + stepsOffset }
        case .trailing:
            return Self.trailingValues(from: Double(trainSteps), ratio: Double(trainSteps) / Double(n))
                .map { Int($0.rounded(.toNearestOrEven)) - 1 }
        }
    }

    /// `np.arange(start, 0, -ratio)`: start, start−ratio, … while > 0, each computed as start − k·ratio.
    static func trailingValues(from start: Double, ratio: Double) -> [Double] {
        let count = Int((start / ratio).rounded(.up))
        return (0..<count).map { start + Double($0) * -ratio }
    }

    /// `np.linspace(start, stop, count)` in double precision (numpy's formula: start + k·step, last = stop).
    static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (stop - start) / Double(count - 1)
        var values = (0..<count).map { start + Double($0) * step }
        values[count - 1] = stop
        return values
    }
}
