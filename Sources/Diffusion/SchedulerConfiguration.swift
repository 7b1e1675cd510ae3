// diffusers' `scheduler_config.json`, decoded with the snake_case keys of diffusers 0.35.2.

import Foundation
import Tensor

/// The contents of a diffusers `scheduler_config.json`.
///
/// Every key is optional: a missing key takes the default of the scheduler class being built
/// (defaults differ per class, e.g. `timestep_spacing` is `leading` for DDIM but `linspace` for Euler),
/// exactly like `SchedulerMixin.from_config`. Keys a class does not take are ignored for that class, as
/// diffusers does, so an SD-1.5 `PNDMScheduler` config can build any scheduler. Values that would change
/// behaviour in a way this module does not implement throw `SchedulerError.unsupportedValue` naming the
/// key. Keys this module does not know at all are kept in `unrecognizedKeys` for the caller to log.
public struct SchedulerConfiguration: Sendable, Equatable, Codable {
    public var className: String?
    public var diffusersVersion: String?
    public var numTrainTimesteps: Int?
    public var betaStart: Double?
    public var betaEnd: Double?
    public var betaSchedule: String?
    public var trainedBetas: [Double]?
    public var predictionType: String?
    public var timestepSpacing: String?
    public var stepsOffset: Int?
    public var rescaleBetasZeroSNR: Bool?
    // DDPM / DDIM / DPM-Solver
    public var clipSample: Bool?
    public var clipSampleRange: Double?
    public var thresholding: Bool?
    public var dynamicThresholdingRatio: Double?
    public var sampleMaxValue: Double?
    public var varianceType: String?
    // DDIM / PNDM
    public var setAlphaToOne: Bool?
    // PNDM
    public var skipPrkSteps: Bool?
    // Euler / DPM-Solver
    public var interpolationType: String?
    public var useKarrasSigmas: Bool?
    public var useExponentialSigmas: Bool?
    public var useBetaSigmas: Bool?
    public var sigmaMin: Double?
    public var sigmaMax: Double?
    public var timestepType: String?
    public var finalSigmasType: String?
    // DPM-Solver
    public var solverOrder: Int?
    public var algorithmType: String?
    public var solverType: String?
    public var lowerOrderFinal: Bool?
    public var eulerAtFinal: Bool?
    public var useLuLambdas: Bool?
    public var useFlowSigmas: Bool?
    public var lambdaMinClipped: Double?
    public var useDynamicShifting: Bool?

    /// Keys present in the JSON that this module does not know (ignored, reported for logging).
    public var unrecognizedKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case diffusersVersion = "_diffusers_version"
        case numTrainTimesteps = "num_train_timesteps"
        case betaStart = "beta_start"
        case betaEnd = "beta_end"
        case betaSchedule = "beta_schedule"
        case trainedBetas = "trained_betas"
        case predictionType = "prediction_type"
        case timestepSpacing = "timestep_spacing"
        case stepsOffset = "steps_offset"
        case rescaleBetasZeroSNR = "rescale_betas_zero_snr"
        case clipSample = "clip_sample"
        case clipSampleRange = "clip_sample_range"
        case thresholding
        case dynamicThresholdingRatio = "dynamic_thresholding_ratio"
        case sampleMaxValue = "sample_max_value"
        case varianceType = "variance_type"
        case setAlphaToOne = "set_alpha_to_one"
        case skipPrkSteps = "skip_prk_steps"
        case interpolationType = "interpolation_type"
        case useKarrasSigmas = "use_karras_sigmas"
        case useExponentialSigmas = "use_exponential_sigmas"
        case useBetaSigmas = "use_beta_sigmas"
        case sigmaMin = "sigma_min"
        case sigmaMax = "sigma_max"
        case timestepType = "timestep_type"
        case finalSigmasType = "final_sigmas_type"
        case solverOrder = "solver_order"
        case algorithmType = "algorithm_type"
        case solverType = "solver_type"
        case lowerOrderFinal = "lower_order_final"
        case eulerAtFinal = "euler_at_final"
        case useLuLambdas = "use_lu_lambdas"
        case useFlowSigmas = "use_flow_sigmas"
        case lambdaMinClipped = "lambda_min_clipped"
        case useDynamicShifting = "use_dynamic_shifting"
    }

    /// Keys diffusers writes that never change sampling here (they are accepted silently).
    static let harmlessKeys: Set<String> = ["_class_name", "_diffusers_version", "_use_default_values",
                                            "flow_shift", "time_shift_type", "shift", "base_shift", "max_shift",
                                            "base_image_seq_len", "max_image_seq_len"]

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// An empty configuration: every key takes the class default.
    public init() {}

    /// Stable Diffusion 1.x (runwayml/stable-diffusion-v1-5 `scheduler/scheduler_config.json`):
    /// PNDM with `skip_prk_steps`, scaled-linear β 0.00085 → 0.012 over 1000 steps, `steps_offset` 1.
    public static let stableDiffusionV1: SchedulerConfiguration = {
        var configuration = SchedulerConfiguration()
        configuration.className = SchedulerKind.pndm.rawValue
        configuration.numTrainTimesteps = 1000
        configuration.betaStart = 0.00085
        configuration.betaEnd = 0.012
        configuration.betaSchedule = BetaSchedule.scaledLinear.rawValue
        configuration.setAlphaToOne = false
        configuration.skipPrkSteps = true
        configuration.stepsOffset = 1
        configuration.clipSample = false
        return configuration
    }()

    /// Stable Diffusion 2.x 768-px (stabilityai/stable-diffusion-2-1 `scheduler/scheduler_config.json`):
    /// DDIM with v-prediction on the SD-1.x schedule.
    public static let stableDiffusionV2: SchedulerConfiguration = {
        var configuration = stableDiffusionV1
        configuration.className = SchedulerKind.ddim.rawValue
        configuration.predictionType = PredictionType.vPrediction.rawValue
        return configuration
    }()

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        className = try container.decodeIfPresent(String.self, forKey: .className)
        diffusersVersion = try container.decodeIfPresent(String.self, forKey: .diffusersVersion)
        numTrainTimesteps = try container.decodeIfPresent(Int.self, forKey: .numTrainTimesteps)
        betaStart = try container.decodeIfPresent(Double.self, forKey: .betaStart)
        betaEnd = try container.decodeIfPresent(Double.self, forKey: .betaEnd)
        betaSchedule = try container.decodeIfPresent(String.self, forKey: .betaSchedule)
        trainedBetas = try container.decodeIfPresent([Double].self, forKey: .trainedBetas)
        predictionType = try container.decodeIfPresent(String.self, forKey: .predictionType)
        timestepSpacing = try container.decodeIfPresent(String.self, forKey: .timestepSpacing)
        stepsOffset = try container.decodeIfPresent(Int.self, forKey: .stepsOffset)
        rescaleBetasZeroSNR = try container.decodeIfPresent(Bool.self, forKey: .rescaleBetasZeroSNR)
        clipSample = try container.decodeIfPresent(Bool.self, forKey: .clipSample)
        clipSampleRange = try container.decodeIfPresent(Double.self, forKey: .clipSampleRange)
        thresholding = try container.decodeIfPresent(Bool.self, forKey: .thresholding)
        dynamicThresholdingRatio = try container.decodeIfPresent(Double.self, forKey: .dynamicThresholdingRatio)
        sampleMaxValue = try container.decodeIfPresent(Double.self, forKey: .sampleMaxValue)
        varianceType = try container.decodeIfPresent(String.self, forKey: .varianceType)
        setAlphaToOne = try container.decodeIfPresent(Bool.self, forKey: .setAlphaToOne)
        skipPrkSteps = try container.decodeIfPresent(Bool.self, forKey: .skipPrkSteps)
        interpolationType = try container.decodeIfPresent(String.self, forKey: .interpolationType)
        useKarrasSigmas = try container.decodeIfPresent(Bool.self, forKey: .useKarrasSigmas)
        useExponentialSigmas = try container.decodeIfPresent(Bool.self, forKey: .useExponentialSigmas)
        useBetaSigmas = try container.decodeIfPresent(Bool.self, forKey: .useBetaSigmas)
        sigmaMin = try container.decodeIfPresent(Double.self, forKey: .sigmaMin)
        sigmaMax = try container.decodeIfPresent(Double.self, forKey: .sigmaMax)
        timestepType = try container.decodeIfPresent(String.self, forKey: .timestepType)
        finalSigmasType = try container.decodeIfPresent(String.self, forKey: .finalSigmasType)
        solverOrder = try container.decodeIfPresent(Int.self, forKey: .solverOrder)
        algorithmType = try container.decodeIfPresent(String.self, forKey: .algorithmType)
        solverType = try container.decodeIfPresent(String.self, forKey: .solverType)
        lowerOrderFinal = try container.decodeIfPresent(Bool.self, forKey: .lowerOrderFinal)
        eulerAtFinal = try container.decodeIfPresent(Bool.self, forKey: .eulerAtFinal)
        useLuLambdas = try container.decodeIfPresent(Bool.self, forKey: .useLuLambdas)
        useFlowSigmas = try container.decodeIfPresent(Bool.self, forKey: .useFlowSigmas)
        lambdaMinClipped = try container.decodeIfPresent(Double.self, forKey: .lambdaMinClipped)
        useDynamicShifting = try container.decodeIfPresent(Bool.self, forKey: .useDynamicShifting)

        let known = Set(CodingKeys.allCases.map(\.stringValue)).union(Self.harmlessKeys)
        let all = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        unrecognizedKeys = all.filter { !known.contains($0) }.sorted()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(className, forKey: .className)
        try container.encodeIfPresent(diffusersVersion, forKey: .diffusersVersion)
        try container.encodeIfPresent(numTrainTimesteps, forKey: .numTrainTimesteps)
        try container.encodeIfPresent(betaStart, forKey: .betaStart)
        try container.encodeIfPresent(betaEnd, forKey: .betaEnd)
        try container.encodeIfPresent(betaSchedule, forKey: .betaSchedule)
        try container.encodeIfPresent(trainedBetas, forKey: .trainedBetas)
        try container.encodeIfPresent(predictionType, forKey: .predictionType)
        try container.encodeIfPresent(timestepSpacing, forKey: .timestepSpacing)
        try container.encodeIfPresent(stepsOffset, forKey: .stepsOffset)
        try container.encodeIfPresent(rescaleBetasZeroSNR, forKey: .rescaleBetasZeroSNR)
        try container.encodeIfPresent(clipSample, forKey: .clipSample)
        try container.encodeIfPresent(clipSampleRange, forKey: .clipSampleRange)
        try container.encodeIfPresent(thresholding, forKey: .thresholding)
        try container.encodeIfPresent(dynamicThresholdingRatio, forKey: .dynamicThresholdingRatio)
        try container.encodeIfPresent(sampleMaxValue, forKey: .sampleMaxValue)
        try container.encodeIfPresent(varianceType, forKey: .varianceType)
        try container.encodeIfPresent(setAlphaToOne, forKey: .setAlphaToOne)
        try container.encodeIfPresent(skipPrkSteps, forKey: .skipPrkSteps)
        try container.encodeIfPresent(interpolationType, forKey: .interpolationType)
        try container.encodeIfPresent(useKarrasSigmas, forKey: .useKarrasSigmas)
        try container.encodeIfPresent(useExponentialSigmas, forKey: .useExponentialSigmas)
        try container.encodeIfPresent(useBetaSigmas, forKey: .useBetaSigmas)
        try container.encodeIfPresent(sigmaMin, forKey: .sigmaMin)
        try container.encodeIfPresent(sigmaMax, forKey: .sigmaMax)
        try container.encodeIfPresent(timestepType, forKey: .timestepType)
        try container.encodeIfPresent(finalSigmasType, forKey: .finalSigmasType)
        try container.encodeIfPresent(solverOrder, forKey: .solverOrder)
        try container.encodeIfPresent(algorithmType, forKey: .algorithmType)
        try container.encodeIfPresent(solverType, forKey: .solverType)
        try container.encodeIfPresent(lowerOrderFinal, forKey: .lowerOrderFinal)
        try container.encodeIfPresent(eulerAtFinal, forKey: .eulerAtFinal)
        try container.encodeIfPresent(useLuLambdas, forKey: .useLuLambdas)
        try container.encodeIfPresent(useFlowSigmas, forKey: .useFlowSigmas)
        try container.encodeIfPresent(lambdaMinClipped, forKey: .lambdaMinClipped)
        try container.encodeIfPresent(useDynamicShifting, forKey: .useDynamicShifting)
    }

    // MARK: Loading

    /// Decodes `scheduler_config.json` bytes; JSON errors become `SchedulerError.malformedConfiguration`.
    public static func decode(from data: Data) throws(SchedulerError) -> SchedulerConfiguration {
        do {
            let decoder = JSONDecoder()
            decoder.allowsJSON5 = true  // Python's json writes -Infinity for lambda_min_clipped
            return try decoder.decode(SchedulerConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw .malformedConfiguration(Self.describe(error))
        } catch {
            throw .malformedConfiguration("\(error)")
        }
    }

    /// Decodes the file at `url` (e.g. `<model>/scheduler/scheduler_config.json`).
    public static func decode(contentsOf url: URL) throws(SchedulerError) -> SchedulerConfiguration {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .malformedConfiguration("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try decode(from: data)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case let .typeMismatch(type, context):
            return "\(path(context.codingPath)): expected \(type)"
        case let .valueNotFound(type, context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case let .keyNotFound(key, _):
            return "missing key \(key.stringValue)"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): invalid value"
        @unknown default:
            return "\(error)"
        }
    }

    // MARK: Building

    /// The scheduler family named by `_class_name`.
    public func kind() throws(SchedulerError) -> SchedulerKind {
        guard let className else { throw .malformedConfiguration("missing _class_name") }
        guard let kind = SchedulerKind(rawValue: className) else { throw .unsupportedScheduler(className) }
        return kind
    }

    /// Builds a scheduler set up for `inferenceSteps` steps — of the class `kind`, or of `_class_name`
    /// when `kind` is nil (like diffusers' `Kind.from_config(config)` then `set_timesteps(steps)`).
    /// `eta` is DDIM's stochasticity η (0 = deterministic DDIM); other schedulers ignore it.
    public func build(inferenceSteps: Int, kind requested: SchedulerKind? = nil, eta: Float = 0) throws(SchedulerError) -> any Scheduler {
        let kind: SchedulerKind
        if let requested { kind = requested } else { kind = try self.kind() }
        switch kind {
        case .ddpm: return try DDPMScheduler(configuration: self, inferenceSteps: inferenceSteps)
        case .ddim: return try DDIMScheduler(configuration: self, inferenceSteps: inferenceSteps, eta: eta)
        case .pndm: return try PNDMScheduler(configuration: self, inferenceSteps: inferenceSteps)
        case .eulerDiscrete: return try EulerDiscreteScheduler(configuration: self, inferenceSteps: inferenceSteps)
        case .eulerAncestralDiscrete:
            return try EulerAncestralDiscreteScheduler(configuration: self, inferenceSteps: inferenceSteps)
        case .dpmSolverMultistep:
            return try DPMSolverMultistepScheduler(configuration: self, inferenceSteps: inferenceSteps)
        }
    }

    // MARK: Resolved values (shared validation)

    /// The training schedule. Missing keys take diffusers' defaults, the same for every class here:
    /// 1000 steps, `linear` from 0.0001 to 0.02.
    /// `takesZeroSNRRescale` is false for classes without a `rescale_betas_zero_snr` parameter (PNDM),
    /// which ignore the key like diffusers' `from_config`.
    func noiseSchedule(takesZeroSNRRescale: Bool = true) throws(SchedulerError) -> NoiseSchedule {
        let trainSteps = numTrainTimesteps ?? 1000
        guard trainSteps >= 2 else { throw .invalidValue(key: "num_train_timesteps", reason: "must be at least 2") }
        let rescale = takesZeroSNRRescale && (rescaleBetasZeroSNR ?? false)
        if let trainedBetas {
            guard trainedBetas.count == trainSteps else {
                throw .invalidValue(key: "trained_betas", reason: "has \(trainedBetas.count) values for \(trainSteps) timesteps")
            }
            guard trainedBetas.allSatisfy({ $0 > 0 && $0 < 1 }) else {
                throw .invalidValue(key: "trained_betas", reason: "values must lie in (0, 1)")
            }
            return NoiseSchedule(betas: trainedBetas.map { Float($0) }, rescaleToZeroTerminalSNR: rescale)
        }
        let scheduleName = betaSchedule ?? "linear"
        guard let schedule = BetaSchedule(rawValue: scheduleName) else {
            throw .unsupportedValue(key: "beta_schedule", value: scheduleName, supported: BetaSchedule.allCases.map(\.rawValue))
        }
        let start = betaStart ?? 0.0001, end = betaEnd ?? 0.02
        if schedule != .squaredcosCapV2 {
            guard start > 0, end > 0, start < 1, end < 1 else {
                throw .invalidValue(key: "beta_start/beta_end", reason: "must lie in (0, 1)")
            }
        }
        return NoiseSchedule(schedule: schedule, trainSteps: trainSteps, betaStart: start, betaEnd: end,
                             rescaleToZeroTerminalSNR: rescale)
    }

    func resolvedPredictionType(allowed: [PredictionType] = PredictionType.allCases) throws(SchedulerError) -> PredictionType {
        let name = predictionType ?? "epsilon"
        guard let type = PredictionType(rawValue: name), allowed.contains(type) else {
            throw .unsupportedValue(key: "prediction_type", value: name, supported: allowed.map(\.rawValue))
        }
        return type
    }

    func resolvedTimestepSpacing(default fallback: TimestepSpacing) throws(SchedulerError) -> TimestepSpacing {
        guard let name = timestepSpacing else { return fallback }
        guard let spacing = TimestepSpacing(rawValue: name) else {
            throw .unsupportedValue(key: "timestep_spacing", value: name, supported: TimestepSpacing.allCases.map(\.rawValue))
        }
        return spacing
    }

    func resolvedClipping(clipDefault: Bool) throws(SchedulerError) -> SampleClipping {
        if thresholding ?? false {
            let ratio = dynamicThresholdingRatio ?? 0.995
            guard ratio > 0, ratio <= 1 else {
                throw .invalidValue(key: "dynamic_thresholding_ratio", reason: "must lie in (0, 1]")
            }
            return .dynamicThreshold(ratio: ratio, maxValue: Float(sampleMaxValue ?? 1))
        }
        if clipSample ?? clipDefault { return .clip(range: Float(clipSampleRange ?? 1)) }
        return .none
    }

    func requireFalse(_ value: Bool?, key: String) throws(SchedulerError) {
        if value ?? false { throw .unsupportedValue(key: key, value: "true", supported: ["false"]) }
    }

    func requireValue(_ value: String?, key: String, supported: [String]) throws(SchedulerError) -> String {
        let resolved = value ?? supported[0]
        guard supported.contains(resolved) else { throw .unsupportedValue(key: key, value: resolved, supported: supported) }
        return resolved
    }

    static func validateStepCount(_ steps: Int, trainSteps: Int) throws(SchedulerError) {
        guard steps >= 1 else { throw .invalidStepCount(steps, reason: "must be at least 1") }
        guard steps <= trainSteps else {
            throw .invalidStepCount(steps, reason: "cannot exceed num_train_timesteps (\(trainSteps))")
        }
    }
}
