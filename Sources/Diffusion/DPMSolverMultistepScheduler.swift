// Follows diffusers 0.35.2 `DPMSolverMultistepScheduler` (schedulers/scheduling_dpmsolver_multistep.py),
// for `algorithm_type = "dpmsolver++"`.

import Foundation
import Tensor

/// DPM-Solver++ multistep (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion
/// Probabilistic Models", arXiv:2211.01095, Algorithm 2 "2M"), a data-prediction (x̂₀) exponential
/// integrator in λ = log(α_t/σ_t). With `solver_order = 2` (the default) it is the "DPM++ 2M" sampler;
/// `use_karras_sigmas` gives "DPM++ 2M Karras". Orders 1 and 3 and the `heun` solver type are also supported.
///
/// As in diffusers 0.35.2, the first step is first order, and the last step is first order when
/// `final_sigmas_type` is `zero` (the default), `euler_at_final` is set, or `lower_order_final` holds with
/// fewer than 15 steps (which also makes the second-to-last step at most second order).
///
/// Config keys: `num_train_timesteps`, `beta_start`, `beta_end`, `beta_schedule`, `trained_betas`,
/// `solver_order` (1–3), `prediction_type`, `thresholding`, `dynamic_thresholding_ratio`,
/// `sample_max_value`, `algorithm_type` (dpmsolver++), `solver_type` (midpoint, heun), `lower_order_final`,
/// `euler_at_final`, `use_karras_sigmas`, `sigma_min`, `sigma_max`, `final_sigmas_type` (zero, sigma_min),
/// `lambda_min_clipped`, `timestep_spacing` (default linspace), `steps_offset`, `rescale_betas_zero_snr`.
public struct DPMSolverMultistepScheduler: Scheduler {
    public static let kind = SchedulerKind.dpmSolverMultistep

    public let schedule: NoiseSchedule
    public let timesteps: [Float]
    /// σ for each step plus the final σ (float32), length `timesteps.count + 1`.
    public let sigmas: [Float]
    public let initNoiseSigma: Float = 1
    public let predictionType: PredictionType
    public let solverOrder: Int
    public let usesHeunSolver: Bool
    let lowerOrderFinal: Bool
    let eulerAtFinal: Bool
    let finalSigmaIsZero: Bool
    let clipping: SampleClipping
    private(set) var stepIndex: Int?
    private var modelOutputs: [Tensor] = []
    private var lowerOrderCount = 0

    public var drawsNoise: Bool { false }

    public init(configuration: SchedulerConfiguration, inferenceSteps: Int) throws(SchedulerError) {
        let schedule = try configuration.noiseSchedule()
        self.schedule = schedule
        let trainSteps = schedule.trainSteps
        try SchedulerConfiguration.validateStepCount(inferenceSteps, trainSteps: trainSteps)
        predictionType = try configuration.resolvedPredictionType()
        _ = try configuration.requireValue(configuration.algorithmType, key: "algorithm_type", supported: ["dpmsolver++"])
        usesHeunSolver = try configuration.requireValue(configuration.solverType, key: "solver_type",
                                                        supported: ["midpoint", "heun"]) == "heun"
        solverOrder = configuration.solverOrder ?? 2
        guard (1...3).contains(solverOrder) else {
            throw .unsupportedValue(key: "solver_order", value: "\(solverOrder)", supported: ["1", "2", "3"])
        }
        try configuration.requireFalse(configuration.useExponentialSigmas, key: "use_exponential_sigmas")
        try configuration.requireFalse(configuration.useBetaSigmas, key: "use_beta_sigmas")
        try configuration.requireFalse(configuration.useLuLambdas, key: "use_lu_lambdas")
        try configuration.requireFalse(configuration.useFlowSigmas, key: "use_flow_sigmas")
        try configuration.requireFalse(configuration.useDynamicShifting, key: "use_dynamic_shifting")
        // Only the learned variances (a model output with twice the channels) change DPM-Solver.
        if let variance = configuration.varianceType, ["learned", "learned_range"].contains(variance) {
            throw .unsupportedValue(key: "variance_type", value: variance, supported: ["null", "fixed_small"])
        }
        let finalType = try configuration.requireValue(configuration.finalSigmasType, key: "final_sigmas_type",
                                                      supported: ["zero", "sigma_min"])
        finalSigmaIsZero = finalType == "zero"
        lowerOrderFinal = configuration.lowerOrderFinal ?? true
        eulerAtFinal = configuration.eulerAtFinal ?? false
        clipping = (configuration.thresholding ?? false) ? try configuration.resolvedClipping(clipDefault: false) : .none
        let spacing = try configuration.resolvedTimestepSpacing(default: .linspace)

        let table = EulerDiscreteScheduler.trainingSigmas(schedule, zeroSNR: configuration.rescaleBetasZeroSNR ?? false)
        // lambda_min_clipped: drop the tail of timesteps whose λ is below the clip (searchsorted on flipped λ).
        var lastTimestep = trainSteps
        if let clip = configuration.lambdaMinClipped, clip > -Double.infinity {
            let lambdas = table.map { -Foundation.log($0) }.reversed()
            lastTimestep = trainSteps - lambdas.filter { $0 < clip }.count
        }
        var stepTimesteps: [Double]
        switch spacing {
        case .linspace:
            stepTimesteps = TimestepSpacing.linspace(0, Double(lastTimestep - 1), count: inferenceSteps + 1)
                .reversed().dropLast().map { $0.rounded(.toNearestOrEven) }
        case .leading:
            let ratio = lastTimestep / (inferenceSteps + 1)
            stepTimesteps = (1...inferenceSteps).reversed().map { Double($0 * ratio + (configuration.stepsOffset ?? 0)) }
        case .trailing:
            stepTimesteps = TimestepSpacing.trailingValues(from: Double(lastTimestep), ratio: Double(trainSteps) / Double(inferenceSteps))
                .map { $0.rounded(.toNearestOrEven) - 1 }
        }
        var stepSigmas: [Double]
        if configuration.useKarrasSigmas ?? false {
            let logTable = SigmaSchedule.logSigmas(table)
            stepSigmas = SigmaSchedule.karras(sigmaMin: configuration.sigmaMin ?? table[0],
                                              sigmaMax: configuration.sigmaMax ?? table[table.count - 1],
                                              count: inferenceSteps)
            stepTimesteps = stepSigmas.map { SigmaSchedule.timestep(forSigma: $0, logSigmas: logTable) }
            if configuration.betaSchedule != BetaSchedule.squaredcosCapV2.rawValue {
                stepTimesteps = stepTimesteps.map { $0.rounded(.toNearestOrEven) }
            }
        } else {
            stepSigmas = stepTimesteps.map { SigmaSchedule.interpolate($0, in: table) }
        }
        let last: Double = finalSigmaIsZero ? 0 : Double(((1 - schedule.alphasCumprod[0]) / schedule.alphasCumprod[0]).squareRoot())
        sigmas = (stepSigmas + [last]).map { Float($0) }
        // torch `.to(int64)` truncates toward zero.
        timesteps = stepTimesteps.map { Float(Int($0)) }
        guard timesteps.allSatisfy({ $0 >= 0 && $0 < Float(trainSteps) }) else {
            throw .invalidValue(key: "steps_offset", reason: "puts timesteps outside 0..<\(trainSteps)")
        }
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws(SchedulerError) -> Tensor { sample }

    /// (α_t, σ_t) of the variance-preserving process at k-diffusion noise level σ.
    private func alphaSigma(_ sigma: Float) -> (alpha: Float, sigma: Float) {
        let alpha = 1 / (sigma * sigma + 1).squareRoot()
        return (alpha, sigma * alpha)
    }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor,
                              generator: inout TorchGenerator) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("DPM-Solver step", modelOutput, sample)
        let index: Int
        if let stepIndex {
            index = stepIndex
        } else {
            index = scheduleIndex(of: timestep, in: timesteps) ?? timesteps.count - 1
        }
        guard index < timesteps.count else { throw .scheduleExhausted(steps: timesteps.count) }
        let count = timesteps.count
        let finalIsFirstOrder = index == count - 1 && (eulerAtFinal || (lowerOrderFinal && count < 15) || finalSigmaIsZero)
        let secondToLastIsSecondOrder = index == count - 2 && lowerOrderFinal && count < 15

        // Data prediction x̂₀ (convert_model_output).
        let (alphaS0, sigmaS0) = alphaSigma(sigmas[index])
        var x0: Tensor
        switch predictionType {
        case .epsilon: x0 = Elementwise.sum(sample, 1 / alphaS0, modelOutput, -sigmaS0 / alphaS0)
        case .sample: x0 = modelOutput
        case .vPrediction: x0 = Elementwise.sum(sample, alphaS0, modelOutput, -sigmaS0)
        }
        x0 = clipping.apply(x0)
        if modelOutputs.count == solverOrder { modelOutputs.removeFirst() }
        modelOutputs.append(x0)

        let result: Tensor
        if solverOrder == 1 || lowerOrderCount < 1 || finalIsFirstOrder {
            result = firstOrderUpdate(x0, sample: sample, index: index)
        } else if solverOrder == 2 || lowerOrderCount < 2 || secondToLastIsSecondOrder {
            result = secondOrderUpdate(sample: sample, index: index)
        } else {
            result = thirdOrderUpdate(sample: sample, index: index)
        }
        if lowerOrderCount < solverOrder { lowerOrderCount += 1 }
        stepIndex = index + 1
        return result
    }

    private func lambda(_ alpha: Float, _ sigma: Float) -> Float { Foundation.log(alpha) - Foundation.log(sigma) }

    /// DPM-Solver++ first order (= DDIM in data prediction): x_t = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·x̂₀.
    private func firstOrderUpdate(_ x0: Tensor, sample: Tensor, index: Int) -> Tensor {
        let (alphaT, sigmaT) = alphaSigma(sigmas[index + 1])
        let (alphaS, sigmaS) = alphaSigma(sigmas[index])
        let h = lambda(alphaT, sigmaT) - lambda(alphaS, sigmaS)
        return Elementwise.sum(sample, sigmaT / sigmaS, x0, -(alphaT * (Foundation.exp(-h) - 1)))
    }

    /// DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2), midpoint or Heun form.
    private func secondOrderUpdate(sample: Tensor, index: Int) -> Tensor {
        let (alphaT, sigmaT) = alphaSigma(sigmas[index + 1])
        let (alphaS0, sigmaS0) = alphaSigma(sigmas[index])
        let (alphaS1, sigmaS1) = alphaSigma(sigmas[index - 1])
        let lambdaT = lambda(alphaT, sigmaT), lambdaS0 = lambda(alphaS0, sigmaS0), lambdaS1 = lambda(alphaS1, sigmaS1)
        let m0 = modelOutputs[modelOutputs.count - 1], m1 = modelOutputs[modelOutputs.count - 2]
        let h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1
        let r0 = h0 / h
        let expMinusH = Foundation.exp(-h)
        let c0 = -(alphaT * (expMinusH - 1))
        let c1 = usesHeunSolver ? alphaT * ((expMinusH - 1) / h + 1) : -0.5 * (alphaT * (expMinusH - 1))
        // D1 = (m0 − m1)/r0.
        return Elementwise.sum([(sample, sigmaT / sigmaS0), (m0, c0 + c1 / r0), (m1, -c1 / r0)])
    }

    /// DPM-Solver++(3M).
    private func thirdOrderUpdate(sample: Tensor, index: Int) -> Tensor {
        let (alphaT, sigmaT) = alphaSigma(sigmas[index + 1])
        let (alphaS0, sigmaS0) = alphaSigma(sigmas[index])
        let (alphaS1, sigmaS1) = alphaSigma(sigmas[index - 1])
        let (alphaS2, sigmaS2) = alphaSigma(sigmas[index - 2])
        let lambdaT = lambda(alphaT, sigmaT), lambdaS0 = lambda(alphaS0, sigmaS0)
        let lambdaS1 = lambda(alphaS1, sigmaS1), lambdaS2 = lambda(alphaS2, sigmaS2)
        let n = modelOutputs.count
        let m0 = modelOutputs[n - 1], m1 = modelOutputs[n - 2], m2 = modelOutputs[n - 3]
        let h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1, h1 = lambdaS1 - lambdaS2
        let r0 = h0 / h, r1 = h1 / h
        // D1_0 = (m0−m1)/r0, D1_1 = (m1−m2)/r1, D1 = D1_0 + r0/(r0+r1)·(D1_0−D1_1), D2 = (D1_0−D1_1)/(r0+r1).
        let d10 = Elementwise.sum(m0, 1 / r0, m1, -1 / r0)
        let d11 = Elementwise.sum(m1, 1 / r1, m2, -1 / r1)
        let d1 = Elementwise.sum(d10, 1 + r0 / (r0 + r1), d11, -r0 / (r0 + r1))
        let d2 = Elementwise.sum(d10, 1 / (r0 + r1), d11, -1 / (r0 + r1))
        let expMinusH = Foundation.exp(-h)
        return Elementwise.sum([(sample, sigmaT / sigmaS0),
                                (m0, -(alphaT * (expMinusH - 1))),
                                (d1, alphaT * ((expMinusH - 1) / h + 1)),
                                (d2, -(alphaT * ((expMinusH - 1 + h) / (h * h) - 0.5)))])
    }

    public func addNoise(original: Tensor, noise: Tensor, timestep: Float) throws(SchedulerError) -> Tensor {
        try Elementwise.requireSameShape("DPM-Solver addNoise", original, noise)
        let index = scheduleIndex(of: timestep, in: timesteps) ?? timesteps.count - 1
        let (alpha, sigma) = alphaSigma(sigmas[index])
        return Elementwise.sum(original, alpha, noise, sigma)
    }
}
