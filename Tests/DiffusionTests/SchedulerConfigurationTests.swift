import Foundation
import Testing
import Tensor
@testable import Diffusion

@Suite struct SchedulerConfigurationTests {
    /// runwayml/stable-diffusion-v1-5 `scheduler/scheduler_config.json`.
    static let stableDiffusion15 = """
    {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
     "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
     "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
     "clip_sample": false}
    """

    static func decode(_ json: String) throws(SchedulerError) -> SchedulerConfiguration {
        try SchedulerConfiguration.decode(from: Data(json.utf8))
    }

    @Test func decodesAStableDiffusionConfig() throws {
        let configuration = try Self.decode(Self.stableDiffusion15)
        #expect(try configuration.kind() == .pndm)
        #expect(configuration.betaSchedule == "scaled_linear")
        #expect(configuration.stepsOffset == 1)
        #expect(configuration.skipPrkSteps == true)
        #expect(configuration.trainedBetas == nil)
        #expect(configuration.unrecognizedKeys.isEmpty)
        let scheduler = try configuration.build(inferenceSteps: 20)
        #expect(scheduler is PNDMScheduler)
        #expect(scheduler.timesteps.count == 21)
        #expect(scheduler.timesteps.prefix(3) == [951, 901, 901])
    }

    @Test(arguments: SchedulerKind.allCases)
    func anyConfigBuildsAnyScheduler(kind: SchedulerKind) throws {
        // Like diffusers' Kind.from_config(pipe.scheduler.config): keys of other classes are ignored.
        let scheduler = try Self.decode(Self.stableDiffusion15).build(inferenceSteps: 25, kind: kind)
        #expect(type(of: scheduler).kind == kind)
        #expect(scheduler.timesteps.count >= 25)
    }

    @Test func presetsMatchTheirJSON() throws {
        #expect(try Self.decode(Self.stableDiffusion15).build(inferenceSteps: 10).timesteps
                == SchedulerConfiguration.stableDiffusionV1.build(inferenceSteps: 10).timesteps)
        let v2 = try SchedulerConfiguration.stableDiffusionV2.build(inferenceSteps: 10)
        #expect(v2 is DDIMScheduler)
        #expect((v2 as? DDIMScheduler)?.predictionType == .vPrediction)
    }

    @Test func pythonInfinityIsAccepted() throws {
        let configuration = try Self.decode("""
        {"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity, "use_karras_sigmas": true}
        """)
        #expect(configuration.lambdaMinClipped == -.infinity)
        _ = try configuration.build(inferenceSteps: 20)
    }

    @Test func keysAClassDoesNotTakeAreIgnoredLikeFromConfig() throws {
        // PNDM has no rescale_betas_zero_snr parameter; DPM-Solver ignores a non-learned variance_type.
        let pndm = try Self.decode(#"{"_class_name": "PNDMScheduler", "rescale_betas_zero_snr": true}"#)
        #expect(try pndm.build(inferenceSteps: 10).timesteps == SchedulerConfiguration().build(inferenceSteps: 10, kind: .pndm).timesteps)
        let plain = try PNDMScheduler(configuration: SchedulerConfiguration(), inferenceSteps: 10)
        #expect((try pndm.build(inferenceSteps: 10) as? PNDMScheduler)?.schedule == plain.schedule)
        let ddpm = try Self.decode(#"{"_class_name": "DDPMScheduler", "variance_type": "fixed_small"}"#)
        _ = try ddpm.build(inferenceSteps: 10, kind: .dpmSolverMultistep)
    }

    @Test func unknownKeysAreReportedNotFatal() throws {
        let configuration = try Self.decode("""
        {"_class_name": "DDIMScheduler", "_diffusers_version": "0.35.2", "made_up_option": 3, "another": null}
        """)
        #expect(configuration.unrecognizedKeys == ["another", "made_up_option"])
        _ = try configuration.build(inferenceSteps: 10)
    }

    @Test func unsupportedValuesNameTheirKey() throws {
        let cases: [(String, String)] = [
            (#"{"_class_name": "DDIMScheduler", "beta_schedule": "sigmoid"}"#, "beta_schedule"),
            (#"{"_class_name": "DDIMScheduler", "timestep_spacing": "uniform"}"#, "timestep_spacing"),
            (#"{"_class_name": "DDIMScheduler", "prediction_type": "flow_prediction"}"#, "prediction_type"),
            (#"{"_class_name": "EulerDiscreteScheduler", "interpolation_type": "log_linear"}"#, "interpolation_type"),
            (#"{"_class_name": "EulerDiscreteScheduler", "use_exponential_sigmas": true}"#, "use_exponential_sigmas"),
            (#"{"_class_name": "EulerDiscreteScheduler", "timestep_type": "continuous"}"#, "timestep_type"),
            (#"{"_class_name": "DPMSolverMultistepScheduler", "algorithm_type": "sde-dpmsolver++"}"#, "algorithm_type"),
            (#"{"_class_name": "DPMSolverMultistepScheduler", "solver_order": 4}"#, "solver_order"),
            (#"{"_class_name": "DPMSolverMultistepScheduler", "final_sigmas_type": "one"}"#, "final_sigmas_type"),
            (#"{"_class_name": "DDPMScheduler", "variance_type": "learned_range"}"#, "variance_type"),
            (#"{"_class_name": "DPMSolverMultistepScheduler", "variance_type": "learned_range"}"#, "variance_type"),
            (#"{"_class_name": "EulerAncestralDiscreteScheduler", "prediction_type": "sample"}"#, "prediction_type"),
        ]
        for (json, key) in cases {
            do {
                _ = try Self.decode(json).build(inferenceSteps: 10)
                Issue.record("\(key): expected an error")
            } catch let error {
                guard case let .unsupportedValue(reportedKey, _, _) = error else {
                    Issue.record("\(key): unexpected \(error)"); continue
                }
                #expect(reportedKey == key)
                #expect(error.description.contains(key))
            }
        }
    }

    @Test func invalidValuesAreTypedErrors() throws {
        #expect(throws: SchedulerError.self) {
            _ = try Self.decode(#"{"_class_name": "DDIMScheduler", "num_train_timesteps": 0}"#).build(inferenceSteps: 1)
        }
        #expect(throws: SchedulerError.self) {
            _ = try Self.decode(#"{"_class_name": "DDIMScheduler", "trained_betas": [0.1, 0.2]}"#).build(inferenceSteps: 1)
        }
        #expect(throws: SchedulerError.self) {
            _ = try Self.decode(#"{"_class_name": "DDIMScheduler", "steps_offset": 5000}"#).build(inferenceSteps: 10)
        }
        #expect(throws: SchedulerError.unsupportedScheduler("LMSDiscreteScheduler")) {
            _ = try Self.decode(#"{"_class_name": "LMSDiscreteScheduler"}"#).build(inferenceSteps: 10)
        }
        #expect(throws: SchedulerError.malformedConfiguration("missing _class_name")) {
            _ = try Self.decode("{}").build(inferenceSteps: 10)
        }
    }

    @Test(arguments: [0, -3, 1001])
    func impossibleStepCountsThrow(steps: Int) throws {
        let configuration = try Self.decode(Self.stableDiffusion15)
        for kind in SchedulerKind.allCases {
            #expect(throws: SchedulerError.self) { _ = try configuration.build(inferenceSteps: steps, kind: kind) }
        }
    }

    @Test func malformedJSONIsReportedWithItsPath() {
        #expect(throws: SchedulerError.malformedConfiguration("beta_start: expected Double")) {
            _ = try Self.decode(#"{"_class_name": "DDIMScheduler", "beta_start": "small"}"#)
        }
        #expect(throws: SchedulerError.self) { _ = try Self.decode("not json") }
        #expect(throws: SchedulerError.self) { _ = try Self.decode("[1, 2]") }
    }

    @Test func encodingRoundTrips() throws {
        let configuration = try Self.decode(Self.stableDiffusion15)
        let data = try JSONEncoder().encode(configuration)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"steps_offset\":1"))
        var decoded = try SchedulerConfiguration.decode(from: data)
        decoded.unrecognizedKeys = configuration.unrecognizedKeys
        #expect(decoded == configuration)
    }

    @Test func trainedBetasOverrideTheSchedule() throws {
        let betas = (0..<10).map { 0.01 + 0.01 * Double($0) }
        var configuration = SchedulerConfiguration()
        configuration.className = SchedulerKind.ddim.rawValue
        configuration.numTrainTimesteps = 10
        configuration.trainedBetas = betas
        let scheduler = try #require(try configuration.build(inferenceSteps: 5) as? DDIMScheduler)
        #expect(scheduler.schedule.betas == betas.map { Float($0) })
        #expect(scheduler.timesteps == [8, 6, 4, 2, 0])
    }
}
