// Follows diffusers 0.35.2 `EulerAncestralDiscreteScheduler` (schedulers/scheduling_euler_ancestral_discrete.py).

import Tensor

/// Ancestral Euler sampling (k-diffusion `sample_euler_ancestral`, after Karras et al. 2022,
/// arXiv:2206.00364): step deterministically to σ_down, then add fresh noise of size σ_up, where
/// σ_up = √(σ_{i+1}²(σ_i² − σ_{i+1}²)/σ_i²) and σ_down = √(σ_{i+1}² − σ_up²). Noise is drawn on every
/// step (also the last, where σ_up = 0), as diffusers does, so generator state matches.
///
/// Config keys: `num_train_timesteps`, `beta_start`, `beta_end`, `beta_schedule`, `trained_betas`,
/// `prediction_type` (epsilon, v_prediction), `timestep_spacing` (default linspace), `steps_offset`,
/// `rescale_betas_zero_snr`.
public struct EulerAncestralDiscreteScheduler: KarrasStyleScheduler {
    public static let kind = SchedulerKind.eulerAncestralDiscrete

    public let schedule: NoiseSchedule
    public let timesteps: [Float]
    /// σ for each step plus a final 0, float32.
    public let sigmas: [Float]
    public let initNoiseSigma: Float
    public let predictionType: PredictionType
    private(set) var stepIndex: Int?

    public var drawsNoise: Bool { true }

    public init(configuration: SchedulerConfiguration, inferenceSteps: Int) throws(SchedulerError) {
        let schedule = try configuration.noiseSchedule()
        self.schedule = schedule
        try SchedulerConfiguration.validateStepCount(inferenceSteps, trainSteps: schedule.trainSteps)
        predictionType = try configuration.resolvedPredictionType(allowed: [.epsilon, .vPrediction])
        let spacing = try configuration.resolvedTimestepSpacing(default: .linspace)
        let (ts, sigmaValues) = EulerDiscreteScheduler.discreteSigmas(
            schedule: schedule, spacing: spacing, inferenceSteps: inferenceSteps,
            stepsOffset: configuration.stepsOffset ?? 0, zeroSNR: configuration.rescaleBetasZeroSNR ?? false)
        sigmas = (sigmaValues + [0]).map { Float($0) }
        timesteps = ts.map { Float($0) }
        let maxSigma = sigmas.max() ?? 1
        initNoiseSigma = spacing == .leading ? (maxSigma * maxSigma + 1).squareRoot() : maxSigma
    }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor,
                              generator: inout TorchGenerator) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("Euler ancestral step", modelOutput, sample)
        let index = try currentIndex(for: timestep)
        guard index < timesteps.count else { throw .scheduleExhausted(steps: timesteps.count) }
        let sigma = sigmas[index], sigmaNext = sigmas[index + 1]
        let sigmaUp = (sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma)).squareRoot()
        let sigmaDown = max(sigmaNext * sigmaNext - sigmaUp * sigmaUp, 0).squareRoot()
        let dt = sigmaDown - sigma
        let noise = generator.randn(shape: modelOutput.shape)
        let result: Tensor
        switch predictionType {
        case .vPrediction:
            let outputScale = -sigma / (sigma * sigma + 1).squareRoot()
            let sampleScale = 1 / (sigma * sigma + 1)
            result = Elementwise.map(sample, modelOutput, noise) { x, v, z in
                let x0 = v * outputScale + x * sampleScale
                return x + (x - x0) / sigma * dt + z * sigmaUp
            }
        default:
            result = Elementwise.map(sample, modelOutput, noise) { x, e, z in
                let x0 = x - sigma * e
                return x + (x - x0) / sigma * dt + z * sigmaUp
            }
        }
        stepIndex = index + 1
        return result
    }

    public func addNoise(original: Tensor, noise: Tensor, timestep: Float) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("Euler ancestral addNoise", original, noise)
        guard let index = scheduleIndex(of: timestep, in: timesteps) else {
            throw .invalidTimestep(timestep, reason: "not one of this schedule's timesteps")
        }
        return Elementwise.sum(original, 1, noise, sigmas[index])
    }
}
