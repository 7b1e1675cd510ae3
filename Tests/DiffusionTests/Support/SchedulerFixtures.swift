import Foundation
import Testing
import Tensor
import Weights
@testable import Diffusion

/// The committed fixture folder `Tests/Fixtures/schedulers` (written by
/// `Tools/reference/make_scheduler_fixtures.py` with diffusers 0.35.2 and torch 2.13).
let schedulerFixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/schedulers", isDirectory: true)

/// One recorded sampling run (an entry of `cases.json` plus its tensors).
struct SchedulerFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let className: String
    let eta: Float
    let seed: UInt64
    let steps: Int
    let shape: [Int]

    enum CodingKeys: String, CodingKey {
        case name, eta, seed, steps, shape
        case className = "class_name"
    }

    var testDescription: String { name }
}

enum SchedulerFixtures {
    /// The raw `cases.json` bytes and the decoded cases.
    static let casesData: Data = (try? Data(contentsOf: schedulerFixturesDirectory.appendingPathComponent("cases.json"))) ?? Data()

    static let cases: [SchedulerFixtureCase] = {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true  // the configs hold -Infinity
        return (try? decoder.decode([SchedulerFixtureCase].self, from: casesData)) ?? []
    }()

    static func cases(of kind: SchedulerKind) -> [SchedulerFixtureCase] {
        cases.filter { $0.className == kind.rawValue }
    }

    /// The `config` object of a case, re-serialised verbatim (Python json, `-Infinity` included).
    static func configurationJSON(for name: String) throws -> Data {
        // Extract with JSON5 so -Infinity survives, then re-encode the one object.
        guard let text = String(data: casesData, encoding: .utf8) else { throw FixtureError.missing("cases.json") }
        let patched = text.replacingOccurrences(of: "-Infinity", with: "\"__-inf__\"")
        guard let array = try JSONSerialization.jsonObject(with: Data(patched.utf8)) as? [[String: Any]],
              let entry = array.first(where: { $0["name"] as? String == name }),
              let config = entry["config"] else { throw FixtureError.missing(name) }
        let data = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        let restored = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"__-inf__\"", with: "-Infinity")
        return Data(restored.utf8)
    }

    static func configuration(for name: String) throws -> SchedulerConfiguration {
        try SchedulerConfiguration.decode(from: configurationJSON(for: name))
    }

    static let trajectories: SafetensorsFile? = try? SafetensorsFile(
        contentsOf: schedulerFixturesDirectory.appendingPathComponent("trajectories.safetensors"))

    static let rng: SafetensorsFile? = try? SafetensorsFile(
        contentsOf: schedulerFixturesDirectory.appendingPathComponent("rng.safetensors"))

    static func tensor(_ name: String, in file: SafetensorsFile?) throws -> (shape: [Int], values: [Float]) {
        guard let file else { throw FixtureError.missing("fixture file") }
        let tensor = try file.tensor(named: name)
        return (tensor.shape, try tensor.floats())
    }

    /// The fake model of the fixture script: 0.1·input + 0.05·sin(t/100).
    static func fakeModel(_ input: Tensor, _ timestep: Float) -> Tensor {
        let c = Float(0.05 * sin(Double(timestep) / 100))
        return input.map { Float(0.1) * $0 + c }
    }

    /// The result of replaying one case against its recording.
    struct Replay {
        var timesteps: [Float]
        var expectedTimesteps: [Float]
        var sigmas: [Float]?
        var expectedSigmas: [Float]?
        var initNoiseSigma: Float
        var expectedInitNoiseSigma: Float
        /// Max relative difference of the initial latents (noise · init_noise_sigma).
        var initialMaxError: Float
        /// Per step: max |ours − theirs| / max(1, max |theirs|).
        var stepErrors: [Float]
        /// Max relative difference of `addNoise` at the 6th timestep (fresh scheduler).
        var addNoiseError: Float
        var worstStepError: Float { stepErrors.max() ?? .infinity }
    }

    /// Builds the case's scheduler from its serialised config, runs the recorded loop with the fake
    /// model and the same seeded generator, and compares every step.
    static func replay(_ fixture: SchedulerFixtureCase) throws -> Replay {
        let configuration = try configuration(for: fixture.name)
        var scheduler = try configuration.build(inferenceSteps: fixture.steps, eta: fixture.eta)
        let clean = try tensor("\(fixture.name).add_noise.clean", in: trajectories)
        let noise = try tensor("\(fixture.name).add_noise.noise", in: trajectories)
        let noiseTimestep = try tensor("\(fixture.name).add_noise.timestep", in: trajectories).values[0]
        let noised = try scheduler.addNoise(original: Tensor(shape: clean.shape, values: clean.values),
                                            noise: Tensor(shape: noise.shape, values: noise.values), timestep: noiseTimestep)
        let addNoiseError = maxRelativeDifference(noised.scalars, try tensor("\(fixture.name).add_noise.result", in: trajectories).values)
        var generator = TorchGenerator(seed: fixture.seed)
        let initial = DenoisingLoop.initialNoise(shape: fixture.shape, scheduler: scheduler, generator: &generator)
        let expectedInitial = try tensor("\(fixture.name).initial", in: trajectories)
        let trajectory = try tensor("\(fixture.name).trajectory", in: trajectories)
        let stepSize = trajectory.values.count / max(trajectory.shape[0], 1)
        var errors: [Float] = []
        _ = try DenoisingLoop.run(scheduler: &scheduler, from: initial, generator: &generator, denoise: fakeModel) { progress in
            let start = (progress.step - 1) * stepSize
            guard start + stepSize <= trajectory.values.count else { errors.append(.infinity); return }
            let expected = trajectory.values[start..<(start + stepSize)]
            let scale = max(1, expected.map(abs).max() ?? 0)
            let ours = progress.sample.scalars
            errors.append(zip(ours, expected).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity)
        }
        if errors.count < trajectory.shape[0] { errors.append(.infinity) }
        let sigmasName = "\(fixture.name).sigmas"
        let expectedSigmas = trajectories?.contains(sigmasName) == true ? try tensor(sigmasName, in: trajectories).values : nil
        let sigmas: [Float]? = (scheduler as? EulerDiscreteScheduler)?.sigmas
            ?? (scheduler as? EulerAncestralDiscreteScheduler)?.sigmas
            ?? (scheduler as? DPMSolverMultistepScheduler)?.sigmas
        return Replay(
            timesteps: scheduler.timesteps,
            expectedTimesteps: try tensor("\(fixture.name).timesteps", in: trajectories).values,
            sigmas: sigmas, expectedSigmas: expectedSigmas,
            initNoiseSigma: scheduler.initNoiseSigma,
            expectedInitNoiseSigma: try tensor("\(fixture.name).init_noise_sigma", in: trajectories).values[0],
            initialMaxError: maxRelativeDifference(initial.scalars, expectedInitial.values),
            stepErrors: errors, addNoiseError: addNoiseError)
    }

    enum FixtureError: Error { case missing(String) }
}

/// Max relative difference of two float arrays (relative to max(1, |expected|) per element).
func maxRelativeDifference(_ ours: [Float], _ expected: [Float]) -> Float {
    guard ours.count == expected.count else { return .infinity }
    return zip(ours, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}
