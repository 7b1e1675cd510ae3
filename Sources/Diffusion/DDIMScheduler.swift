// Follows diffusers 0.35.2 `DDIMScheduler` (schedulers/scheduling_ddim.py).

import Tensor

/// Denoising Diffusion Implicit Models (Song, Meng & Ermon 2020, arXiv:2010.02502, Eq. 12).
///
/// x_{t−1} = √ᾱ_{t−1}·x̂₀ + √(1 − ᾱ_{t−1} − σ_t²)·ε̂ + σ_t·z, with σ_t = η·√((1−ᾱ_{t−1})/(1−ᾱ_t))·√(1 − ᾱ_t/ᾱ_{t−1}).
/// η = 0 is deterministic DDIM; η = 1 matches DDPM's posterior variance. The previous timestep is
/// `t − T/n` (integer division), and past t = 0 ᾱ is 1 (`set_alpha_to_one`) or ᾱ_0.
///
/// Config keys: `num_train_timesteps`, `beta_start`, `beta_end`, `beta_schedule`, `trained_betas`,
/// `clip_sample` (default true), `clip_sample_range`, `set_alpha_to_one` (default true), `steps_offset`,
/// `prediction_type`, `thresholding`, `dynamic_thresholding_ratio`, `sample_max_value`,
/// `timestep_spacing` (default leading), `rescale_betas_zero_snr`.
public struct DDIMScheduler: Scheduler {
    public static let kind = SchedulerKind.ddim

    public let schedule: NoiseSchedule
    public let timesteps: [Float]
    public let initNoiseSigma: Float = 1
    public let predictionType: PredictionType
    /// η: 0 for DDIM, 1 for DDPM-like ancestral sampling.
    public let eta: Float
    /// Recompute ε̂ from the clipped x̂₀ (diffusers `use_clipped_model_output`).
    public var useClippedModelOutput = false
    let clipping: SampleClipping
    let finalAlphaCumprod: Float
    let stepRatio: Int

    public var drawsNoise: Bool { eta > 0 }

    public init(configuration: SchedulerConfiguration, inferenceSteps: Int, eta: Float = 0) throws(SchedulerError) {
        schedule = try configuration.noiseSchedule()
        try SchedulerConfiguration.validateStepCount(inferenceSteps, trainSteps: schedule.trainSteps)
        guard eta >= 0, eta.isFinite else { throw .invalidValue(key: "eta", reason: "must be a finite number ≥ 0") }
        predictionType = try configuration.resolvedPredictionType()
        clipping = try configuration.resolvedClipping(clipDefault: true)
        let spacing = try configuration.resolvedTimestepSpacing(default: .leading)
        finalAlphaCumprod = (configuration.setAlphaToOne ?? true) ? 1 : schedule.alphasCumprod[0]
        stepRatio = schedule.trainSteps / inferenceSteps
        let ints = spacing.integerTimesteps(trainSteps: schedule.trainSteps, inferenceSteps: inferenceSteps,
                                            stepsOffset: configuration.stepsOffset ?? 0)
        let trainSteps = schedule.trainSteps
        guard ints.allSatisfy({ $0 >= 0 && $0 < trainSteps }) else {
            throw .invalidValue(key: "steps_offset", reason: "puts timesteps outside 0..<\(trainSteps)")
        }
        timesteps = ints.map(Float.init)
        self.eta = eta
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws(SchedulerError) -> Tensor { sample }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor,
                              generator: inout TorchGenerator) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("DDIM step", modelOutput, sample)
        let t = try integerTimestep(timestep, trainSteps: schedule.trainSteps)
        let previous = t - stepRatio
        let alphaProduct = schedule.alphasCumprod[t]
        let alphaProductPrevious = previous >= 0 ? schedule.alphasCumprod[previous] : finalAlphaCumprod
        let betaProduct = 1 - alphaProduct
        let sqrtAlpha = alphaProduct.squareRoot(), sqrtBeta = betaProduct.squareRoot()

        var predictedOriginal: Tensor
        var predictedEpsilon: Tensor
        switch predictionType {
        case .epsilon:
            predictedOriginal = Elementwise.sum(sample, 1 / sqrtAlpha, modelOutput, -sqrtBeta / sqrtAlpha)
            predictedEpsilon = modelOutput
        case .sample:
            predictedOriginal = modelOutput
            predictedEpsilon = Elementwise.sum(sample, 1 / sqrtBeta, modelOutput, -sqrtAlpha / sqrtBeta)
        case .vPrediction:
            predictedOriginal = Elementwise.sum(sample, sqrtAlpha, modelOutput, -sqrtBeta)
            predictedEpsilon = Elementwise.sum(modelOutput, sqrtAlpha, sample, sqrtBeta)
        }
        predictedOriginal = clipping.apply(predictedOriginal)

        let betaProductPrevious = 1 - alphaProductPrevious
        let variance = (betaProductPrevious / betaProduct) * (1 - alphaProduct / alphaProductPrevious)
        let standardDeviation = eta * variance.squareRoot()
        if useClippedModelOutput {
            predictedEpsilon = Elementwise.sum(sample, 1 / sqrtBeta, predictedOriginal, -sqrtAlpha / sqrtBeta)
        }
        let direction = max(1 - alphaProductPrevious - standardDeviation * standardDeviation, 0).squareRoot()
        var previousSample = Elementwise.sum(predictedOriginal, alphaProductPrevious.squareRoot(), predictedEpsilon, direction)
        if eta > 0 {
            let noise = generator.randn(shape: modelOutput.shape)
            previousSample = Elementwise.sum(previousSample, 1, noise, standardDeviation)
        }
        return previousSample
    }

    public func addNoise(original: Tensor, noise: Tensor, timestep: Float) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("DDIM addNoise", original, noise)
        let t = try integerTimestep(timestep, trainSteps: schedule.trainSteps)
        let alpha = schedule.alphasCumprod[t]
        return Elementwise.sum(original, alpha.squareRoot(), noise, (1 - alpha).squareRoot())
    }
}
