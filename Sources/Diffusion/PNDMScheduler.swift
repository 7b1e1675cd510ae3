// Follows diffusers 0.35.2 `PNDMScheduler` (schedulers/scheduling_pndm.py).

import Tensor

/// Pseudo Numerical methods for Diffusion Models (Liu, Ren, Lin & Zhao 2022, arXiv:2202.09778):
/// the pseudo linear multi-step method (PLMS, Eq. 12 with 4th-order Adams–Bashforth weights), warmed up
/// either with three pseudo Runge–Kutta steps (PRK, 12 model calls) or, with `skip_prk_steps`, with
/// the lower-order PLMS start that Stable Diffusion uses (one repeated timestep, 2nd/3rd-order weights).
///
/// The transfer function φ (Eq. 11) moves x_t to x_{t−δ} given ε:
/// x_{t−δ} = √(ᾱ_{t−δ}/ᾱ_t)·x_t − (ᾱ_{t−δ} − ᾱ_t)·ε / (ᾱ_t·√(1−ᾱ_{t−δ}) + √(ᾱ_t(1−ᾱ_t)ᾱ_{t−δ})).
///
/// Config keys: `num_train_timesteps`, `beta_start`, `beta_end`, `beta_schedule`, `trained_betas`,
/// `skip_prk_steps` (default false), `set_alpha_to_one` (default false), `prediction_type`
/// (epsilon, v_prediction), `timestep_spacing` (default leading), `steps_offset`.
public struct PNDMScheduler: Scheduler {
    public static let kind = SchedulerKind.pndm

    public let schedule: NoiseSchedule
    public let timesteps: [Float]
    public let initNoiseSigma: Float = 1
    public let predictionType: PredictionType
    public let skipPRKSteps: Bool
    public var drawsNoise: Bool { false }

    let finalAlphaCumprod: Float
    let stepRatio: Int
    let prkTimesteps: [Int]
    private var counter = 0
    private var ets: [Tensor] = []
    private var currentSample: Tensor?
    private var runningModelOutput: Tensor?

    public init(configuration: SchedulerConfiguration, inferenceSteps: Int) throws(SchedulerError) {
        schedule = try configuration.noiseSchedule(takesZeroSNRRescale: false)
        let trainSteps = schedule.trainSteps
        try SchedulerConfiguration.validateStepCount(inferenceSteps, trainSteps: trainSteps)
        predictionType = try configuration.resolvedPredictionType(allowed: [.epsilon, .vPrediction])
        skipPRKSteps = configuration.skipPrkSteps ?? false
        finalAlphaCumprod = (configuration.setAlphaToOne ?? false) ? 1 : schedule.alphasCumprod[0]
        stepRatio = trainSteps / inferenceSteps
        let spacing = try configuration.resolvedTimestepSpacing(default: .leading)
        // The base timesteps, ascending.
        let base = Array(spacing.integerTimesteps(trainSteps: trainSteps, inferenceSteps: inferenceSteps,
                                                  stepsOffset: configuration.stepsOffset ?? 0).reversed())
        guard base.allSatisfy({ $0 >= 0 && $0 < trainSteps }) else {
            throw .invalidValue(key: "steps_offset", reason: "puts timesteps outside 0..<\(trainSteps)")
        }
        var all: [Int]
        if skipPRKSteps {
            // [t_0 … t_{n−2}, t_{n−2}, t_{n−1}] reversed: the second-largest timestep is visited twice.
            prkTimesteps = []
            let repeated = base.count >= 2 ? [base[base.count - 2]] : []
            all = Array((Array(base.dropLast()) + repeated + [base[base.count - 1]]).reversed())
        } else {
            guard base.count >= 4 else {
                throw .invalidStepCount(inferenceSteps, reason: "PNDM with Runge–Kutta warm-up needs at least 4 steps")
            }
            let half = trainSteps / inferenceSteps / 2
            let pairs = base.suffix(4).flatMap { [$0, $0 + half] }
            let doubled = pairs.dropLast().flatMap { [$0, $0] }
            prkTimesteps = Array(doubled.dropFirst().dropLast().reversed())
            all = prkTimesteps + Array(base.dropLast(3).reversed())
        }
        guard all.allSatisfy({ $0 < trainSteps }) else {
            throw .invalidStepCount(inferenceSteps, reason: "Runge–Kutta timesteps exceed num_train_timesteps")
        }
        timesteps = all.map(Float.init)
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws(SchedulerError) -> Tensor { sample }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor,
                              generator: inout TorchGenerator) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("PNDM step", modelOutput, sample)
        let t = try integerTimestep(timestep, trainSteps: schedule.trainSteps)
        if counter < prkTimesteps.count && !skipPRKSteps {
            return try stepRungeKutta(modelOutput: modelOutput, timestep: t, sample: sample)
        }
        return try stepLinearMultistep(modelOutput: modelOutput, timestep: t, sample: sample)
    }

    /// One of the 12 pseudo Runge–Kutta sub-steps (PNDM Eq. 13).
    private mutating func stepRungeKutta(modelOutput: Tensor, timestep: Int, sample: Tensor) throws(SchedulerError) -> Tensor {
        let previous = timestep - (counter % 2 == 1 ? 0 : stepRatio / 2)
        let anchor = prkTimesteps[counter / 4 * 4]
        var effectiveOutput = modelOutput
        switch counter % 4 {
        case 0:
            runningModelOutput = accumulate(runningModelOutput, modelOutput, 1.0 / 6.0)
            ets.append(modelOutput)
            currentSample = sample
        case 1, 2:
            runningModelOutput = accumulate(runningModelOutput, modelOutput, 1.0 / 3.0)
        default:
            effectiveOutput = accumulate(runningModelOutput, modelOutput, 1.0 / 6.0)
            runningModelOutput = nil
        }
        let result = try previousSample(currentSample ?? sample, timestep: anchor, previous: previous, modelOutput: effectiveOutput)
        counter += 1
        return result
    }

    private func accumulate(_ running: Tensor?, _ output: Tensor, _ weight: Float) -> Tensor {
        guard let running else { return Elementwise.scaled(output, weight) }
        return Elementwise.sum(running, 1, output, weight)
    }

    /// A pseudo linear multi-step update (PNDM Eq. 12), with its lower-order start.
    private mutating func stepLinearMultistep(modelOutput: Tensor, timestep: Int, sample: Tensor) throws(SchedulerError) -> Tensor {
        if !skipPRKSteps && ets.count < 3 {
            throw .invalidTimestep(Float(timestep), reason: "PLMS needs the Runge–Kutta warm-up first")
        }
        var timestep = timestep
        var previous = timestep - stepRatio
        if counter != 1 {
            ets = Array(ets.suffix(3))
            ets.append(modelOutput)
        } else {
            previous = timestep
            timestep += stepRatio
        }
        var sample = sample
        let output: Tensor
        switch ets.count {
        case 1 where counter == 0:
            output = modelOutput
            currentSample = sample
        case 1 where counter == 1:
            output = Elementwise.sum(modelOutput, 0.5, ets[0], 0.5)
            sample = currentSample ?? sample
            currentSample = nil
        case 2:
            output = Elementwise.sum(ets[1], 1.5, ets[0], -0.5)
        case 3:
            output = Elementwise.sum([(ets[2], 23.0 / 12.0), (ets[1], -16.0 / 12.0), (ets[0], 5.0 / 12.0)])
        default:
            let e = ets.suffix(4).map { $0 }
            output = Elementwise.sum([(e[3], 55.0 / 24.0), (e[2], -59.0 / 24.0), (e[1], 37.0 / 24.0), (e[0], -9.0 / 24.0)])
        }
        let result = try previousSample(sample, timestep: timestep, previous: previous, modelOutput: output)
        counter += 1
        return result
    }

    /// The transfer φ(x_t, ε, t, t_prev) (PNDM Eq. 11).
    private func previousSample(_ sample: Tensor, timestep: Int, previous: Int, modelOutput: Tensor) throws(SchedulerError) -> Tensor {
        guard timestep >= 0, timestep < schedule.trainSteps, previous < schedule.trainSteps else {
            throw .invalidTimestep(Float(timestep), reason: "outside 0..<\(schedule.trainSteps)")
        }
        let alpha = schedule.alphasCumprod[timestep]
        let alphaPrevious = previous >= 0 ? schedule.alphasCumprod[previous] : finalAlphaCumprod
        let beta = 1 - alpha
        let betaPrevious = 1 - alphaPrevious
        var epsilon = modelOutput
        if predictionType == .vPrediction {
            epsilon = Elementwise.sum(modelOutput, alpha.squareRoot(), sample, beta.squareRoot())
        }
        let sampleCoefficient = (alphaPrevious / alpha).squareRoot()
        let denominator = alpha * betaPrevious.squareRoot() + (alpha * beta * alphaPrevious).squareRoot()
        return Elementwise.sum(sample, sampleCoefficient, epsilon, -(alphaPrevious - alpha) / denominator)
    }

    public func addNoise(original: Tensor, noise: Tensor, timestep: Float) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("PNDM addNoise", original, noise)
        let t = try integerTimestep(timestep, trainSteps: schedule.trainSteps)
        let alpha = schedule.alphasCumprod[t]
        return Elementwise.sum(original, alpha.squareRoot(), noise, (1 - alpha).squareRoot())
    }
}
