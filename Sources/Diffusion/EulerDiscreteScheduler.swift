// Follows diffusers 0.35.2 `EulerDiscreteScheduler` (schedulers/scheduling_euler_discrete.py).

import Tensor

/// Euler's method on the probability-flow ODE in σ-parameterisation (Karras et al. 2022,
/// arXiv:2206.00364, Algorithm 2 with S_churn = 0 by default): x_{i+1} = x_i + (x_i − x̂₀)/σ̂_i·(σ_{i+1} − σ̂_i),
/// where the model sees x_i/√(σ_i² + 1).
///
/// Config keys: `num_train_timesteps`, `beta_start`, `beta_end`, `beta_schedule`, `trained_betas`,
/// `prediction_type`, `interpolation_type` (linear), `use_karras_sigmas`, `sigma_min`, `sigma_max`,
/// `timestep_spacing` (default linspace), `timestep_type` (discrete), `steps_offset`,
/// `rescale_betas_zero_snr`, `final_sigmas_type` (zero, sigma_min).
public struct EulerDiscreteScheduler: KarrasStyleScheduler {
    public static let kind = SchedulerKind.eulerDiscrete

    public let schedule: NoiseSchedule
    public let timesteps: [Float]
    /// σ for each step plus the final σ (`sigmas`, float32), length `timesteps.count + 1`.
    public let sigmas: [Float]
    public let initNoiseSigma: Float
    public let predictionType: PredictionType
    /// Karras "churn" (S_churn, S_tmin, S_tmax, S_noise); the defaults disable it.
    public var churn: Float = 0, churnMinimumSigma: Float = 0, churnMaximumSigma: Float = .infinity, churnNoise: Float = 1
    private(set) var stepIndex: Int?

    public var drawsNoise: Bool { churn > 0 }

    public init(configuration: SchedulerConfiguration, inferenceSteps: Int) throws(SchedulerError) {
        let schedule = try configuration.noiseSchedule()
        self.schedule = schedule
        try SchedulerConfiguration.validateStepCount(inferenceSteps, trainSteps: schedule.trainSteps)
        predictionType = try configuration.resolvedPredictionType()
        _ = try configuration.requireValue(configuration.interpolationType, key: "interpolation_type", supported: ["linear"])
        _ = try configuration.requireValue(configuration.timestepType, key: "timestep_type", supported: ["discrete"])
        try configuration.requireFalse(configuration.useExponentialSigmas, key: "use_exponential_sigmas")
        try configuration.requireFalse(configuration.useBetaSigmas, key: "use_beta_sigmas")
        let finalType = try configuration.requireValue(configuration.finalSigmasType, key: "final_sigmas_type",
                                                      supported: ["zero", "sigma_min"])
        let spacing = try configuration.resolvedTimestepSpacing(default: .linspace)
        let (ts, sigmaValues) = Self.discreteSigmas(schedule: schedule, spacing: spacing, inferenceSteps: inferenceSteps,
                                                     stepsOffset: configuration.stepsOffset ?? 0,
                                                     zeroSNR: configuration.rescaleBetasZeroSNR ?? false)
        var stepTimesteps = ts
        var stepSigmas = sigmaValues
        if configuration.useKarrasSigmas ?? false {
            let table = Self.trainingSigmas(schedule, zeroSNR: configuration.rescaleBetasZeroSNR ?? false)
            let logTable = SigmaSchedule.logSigmas(table)
            stepSigmas = SigmaSchedule.karras(sigmaMin: configuration.sigmaMin ?? sigmaValues[sigmaValues.count - 1],
                                              sigmaMax: configuration.sigmaMax ?? sigmaValues[0], count: inferenceSteps)
            stepTimesteps = stepSigmas.map { SigmaSchedule.timestep(forSigma: $0, logSigmas: logTable) }
        }
        let last: Double = finalType == "zero" ? 0 : Double(((1 - schedule.alphasCumprod[0]) / schedule.alphasCumprod[0]).squareRoot())
        sigmas = (stepSigmas + [last]).map { Float($0) }
        timesteps = stepTimesteps.map { Float($0) }
        let maxSigma = sigmas.max() ?? 1
        initNoiseSigma = spacing == .leading ? (maxSigma * maxSigma + 1).squareRoot() : maxSigma
    }

    /// σ_t over all training timesteps (ascending t), as float32 values widened; zero-SNR pins ᾱ_T = 2⁻²⁴.
    static func trainingSigmas(_ schedule: NoiseSchedule, zeroSNR: Bool) -> [Double] {
        var alphas = schedule.alphasCumprod
        if zeroSNR { alphas[alphas.count - 1] = 0x1p-24 }
        return alphas.map { Double(((1 - $0) / $0).squareRoot()) }
    }

    /// The float timesteps of the Euler family and their interpolated σ (diffusers `set_timesteps`).
    static func discreteSigmas(schedule: NoiseSchedule, spacing: TimestepSpacing, inferenceSteps n: Int,
                               stepsOffset: Int, zeroSNR: Bool) -> (timesteps: [Double], sigmas: [Double]) {
        let trainSteps = schedule.trainSteps
        let raw: [Double]
        switch spacing {
        case .linspace:
            raw = TimestepSpacing.linspace(0, Double(trainSteps - 1), count: n).reversed()
        case .leading:
            let ratio = trainSteps / n
            raw = (0..<n).reversed().map { Double($0 * ratio) + Double(stepsOffset) }
        case .trailing:
            raw = TimestepSpacing.trailingValues(from: Double(trainSteps), ratio: Double(trainSteps) / Double(n))
                .map { $0.rounded(.toNearestOrEven) - 1 }
        }
        let timesteps = raw.map { Double(Float($0)) }  // numpy casts to float32
        let table = trainingSigmas(schedule, zeroSNR: zeroSNR)
        return (timesteps, timesteps.map { SigmaSchedule.interpolate($0, in: table) })
    }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor,
                              generator: inout TorchGenerator) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("Euler step", modelOutput, sample)
        let index = try currentIndex(for: timestep)
        guard index < timesteps.count else { throw .scheduleExhausted(steps: timesteps.count) }
        let sigma = sigmas[index]
        let gamma: Float = (churnMinimumSigma <= sigma && sigma <= churnMaximumSigma)
            ? min(churn / Float(sigmas.count - 1), Float(2).squareRoot() - 1) : 0
        let sigmaHat = sigma * (gamma + 1)
        var current = sample
        if gamma > 0 {
            let noise = generator.randn(shape: modelOutput.shape)
            current = Elementwise.sum(sample, 1, noise, churnNoise * (sigmaHat * sigmaHat - sigma * sigma).squareRoot())
        }
        let dt = sigmas[index + 1] - sigmaHat
        let result: Tensor
        switch predictionType {
        case .epsilon:
            result = Elementwise.map(current, modelOutput) { x, e in
                let x0 = x - sigmaHat * e
                return x + (x - x0) / sigmaHat * dt
            }
        case .vPrediction:
            let outputScale = -sigma / (sigma * sigma + 1).squareRoot()
            let sampleScale = 1 / (sigma * sigma + 1)
            result = Elementwise.map(current, modelOutput) { x, v in
                let x0 = v * outputScale + x * sampleScale
                return x + (x - x0) / sigmaHat * dt
            }
        case .sample:
            result = Elementwise.map(current, modelOutput) { x, x0 in x + (x - x0) / sigmaHat * dt }
        }
        stepIndex = index + 1
        return result
    }

    public func addNoise(original: Tensor, noise: Tensor, timestep: Float) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("Euler addNoise", original, noise)
        guard let index = scheduleIndex(of: timestep, in: timesteps) else {
            throw .invalidTimestep(timestep, reason: "not one of this schedule's timesteps")
        }
        return Elementwise.sum(original, 1, noise, sigmas[index])
    }
}
