// Follows diffusers 0.35.2 `DDPMScheduler` (schedulers/scheduling_ddpm.py).

import Foundation
import Tensor

/// Ancestral sampling of Denoising Diffusion Probabilistic Models (Ho, Jain & Abbeel 2020,
/// arXiv:2006.11239, Eqs. 6–7 and Algorithm 2), on a possibly strided timestep subset.
///
/// The posterior mean is μ̃ = (√ᾱ_{t'}·β_t/(1−ᾱ_t))·x̂₀ + (√α_t·(1−ᾱ_{t'})/(1−ᾱ_t))·x_t, with t' the next
/// timestep of the schedule and α_t = ᾱ_t/ᾱ_{t'}; noise with the posterior variance is added for t > 0.
///
/// Config keys: `num_train_timesteps`, `beta_start`, `beta_end`, `beta_schedule`, `trained_betas`,
/// `variance_type` (fixed_small, fixed_small_log, fixed_large), `clip_sample` (default true),
/// `clip_sample_range`, `prediction_type`, `thresholding`, `dynamic_thresholding_ratio`,
/// `sample_max_value`, `timestep_spacing` (default leading), `steps_offset`, `rescale_betas_zero_snr`.
public struct DDPMScheduler: Scheduler {
    public static let kind = SchedulerKind.ddpm

    /// How the reverse-process variance is chosen (diffusers `variance_type`).
    public enum VarianceType: String, Sendable, CaseIterable {
        /// σ² = β̃_t, the posterior variance (Ho et al. 2020 §3.2, lower bound).
        case fixedSmall = "fixed_small"
        /// The same variance, applied through log and exp as in diffusers.
        case fixedSmallLog = "fixed_small_log"
        /// σ² = β_t (upper bound).
        case fixedLarge = "fixed_large"
    }

    public let schedule: NoiseSchedule
    public let timesteps: [Float]
    public let initNoiseSigma: Float = 1
    public let predictionType: PredictionType
    public let varianceType: VarianceType
    let clipping: SampleClipping
    private let integerTimesteps: [Int]

    public var drawsNoise: Bool { true }

    public init(configuration: SchedulerConfiguration, inferenceSteps: Int) throws(SchedulerError) {
        schedule = try configuration.noiseSchedule()
        try SchedulerConfiguration.validateStepCount(inferenceSteps, trainSteps: schedule.trainSteps)
        predictionType = try configuration.resolvedPredictionType()
        clipping = try configuration.resolvedClipping(clipDefault: true)
        let varianceName = configuration.varianceType ?? VarianceType.fixedSmall.rawValue
        guard let variance = VarianceType(rawValue: varianceName) else {
            throw .unsupportedValue(key: "variance_type", value: varianceName, supported: VarianceType.allCases.map(\.rawValue))
        }
        varianceType = variance
        let spacing = try configuration.resolvedTimestepSpacing(default: .leading)
        integerTimesteps = spacing.integerTimesteps(trainSteps: schedule.trainSteps, inferenceSteps: inferenceSteps,
                                                    stepsOffset: configuration.stepsOffset ?? 0)
        let trainSteps = schedule.trainSteps
        guard integerTimesteps.allSatisfy({ $0 >= 0 && $0 < trainSteps }) else {
            throw .invalidValue(key: "steps_offset", reason: "puts timesteps outside 0..<\(trainSteps)")
        }
        timesteps = integerTimesteps.map(Float.init)
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws(SchedulerError) -> Tensor { sample }

    /// The timestep after `t` in the schedule, or −1 after the last one (diffusers `previous_timestep`).
    private func previousTimestep(_ t: Int) throws(SchedulerError) -> Int {
        guard let index = integerTimesteps.firstIndex(of: t) else {
            throw .invalidTimestep(Float(t), reason: "not one of this schedule's timesteps")
        }
        return index + 1 < integerTimesteps.count ? integerTimesteps[index + 1] : -1
    }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor,
                              generator: inout TorchGenerator) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("DDPM step", modelOutput, sample)
        let t = try integerTimestep(timestep, trainSteps: schedule.trainSteps)
        let previous = try previousTimestep(t)
        let alphaProduct = schedule.alphasCumprod[t]
        let alphaProductPrevious: Float = previous >= 0 ? schedule.alphasCumprod[previous] : 1
        let betaProduct = 1 - alphaProduct
        let betaProductPrevious = 1 - alphaProductPrevious
        let currentAlpha = alphaProduct / alphaProductPrevious
        let currentBeta = 1 - currentAlpha

        var predictedOriginal: Tensor
        switch predictionType {
        case .epsilon:
            let sqrtAlpha = alphaProduct.squareRoot()
            predictedOriginal = Elementwise.sum(sample, 1 / sqrtAlpha, modelOutput, -betaProduct.squareRoot() / sqrtAlpha)
        case .sample:
            predictedOriginal = modelOutput
        case .vPrediction:
            predictedOriginal = Elementwise.sum(sample, alphaProduct.squareRoot(), modelOutput, -betaProduct.squareRoot())
        }
        predictedOriginal = clipping.apply(predictedOriginal)

        let originalCoefficient = alphaProductPrevious.squareRoot() * currentBeta / betaProduct
        let sampleCoefficient = currentAlpha.squareRoot() * betaProductPrevious / betaProduct
        guard t > 0 else {
            return Elementwise.sum(predictedOriginal, originalCoefficient, sample, sampleCoefficient)
        }
        let noise = generator.randn(shape: modelOutput.shape)
        let posteriorVariance = max(betaProductPrevious / betaProduct * currentBeta, 1e-20)
        let noiseScale: Float
        switch varianceType {
        case .fixedSmall: noiseScale = posteriorVariance.squareRoot()
        case .fixedSmallLog: noiseScale = Foundation.exp(0.5 * Foundation.log(posteriorVariance))
        case .fixedLarge: noiseScale = currentBeta.squareRoot()
        }
        return Elementwise.sum(predictedOriginal, originalCoefficient, sample, sampleCoefficient, noise, noiseScale)
    }

    public func addNoise(original: Tensor, noise: Tensor, timestep: Float) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("DDPM addNoise", original, noise)
        let t = try integerTimestep(timestep, trainSteps: schedule.trainSteps)
        let alpha = schedule.alphasCumprod[t]
        return Elementwise.sum(original, alpha.squareRoot(), noise, (1 - alpha).squareRoot())
    }
}
