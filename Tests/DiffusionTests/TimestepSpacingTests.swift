import Testing
import Weights
@testable import Diffusion

@Suite struct TimestepSpacingTests {
    @Test func leadingWithOffsetIsStableDiffusionsSchedule() {
        let timesteps = TimestepSpacing.leading.integerTimesteps(trainSteps: 1000, inferenceSteps: 20, stepsOffset: 1)
        #expect(timesteps == stride(from: 951, through: 1, by: -50).map { $0 })
    }

    @Test func trailingStartsAtTheLastTrainingStep() {
        let timesteps = TimestepSpacing.trailing.integerTimesteps(trainSteps: 1000, inferenceSteps: 3, stepsOffset: 0)
        #expect(timesteps == [999, 666, 332])
    }

    @Test func linspaceRoundsHalfToEven() {
        // linspace(0, 999, 5) = 0, 249.75, 499.5, 749.25, 999 → 0, 250, 500 (half to even), 749, 999.
        let timesteps = TimestepSpacing.linspace.integerTimesteps(trainSteps: 1000, inferenceSteps: 5, stepsOffset: 0)
        #expect(timesteps == [999, 749, 500, 250, 0])
    }

    @Test func numpyLinspaceSetsTheEndpointExactly() {
        #expect(TimestepSpacing.linspace(0, 1, count: 3) == [0, 0.5, 1])
        #expect(TimestepSpacing.linspace(2, 5, count: 1) == [2])
        #expect(TimestepSpacing.linspace(2, 5, count: 0).isEmpty)
    }

    static func configuration(named name: String) -> SchedulerConfiguration {
        var configuration = SchedulerConfiguration.stableDiffusionV1
        switch name {
        case "sd1_trailing": configuration.timestepSpacing = "trailing"
        case "sd1_linspace": configuration.timestepSpacing = "linspace"
        case "sd1_leading": configuration.timestepSpacing = "leading"
        case "sd1_karras": configuration.useKarrasSigmas = true
        case "cosine", "cosine_prk":
            configuration = SchedulerConfiguration()
            configuration.betaSchedule = "squaredcos_cap_v2"
            configuration.skipPrkSteps = name == "cosine_prk" ? false : nil
        default: break
        }
        return configuration
    }

    /// `set_timesteps(n)` of every class × config × n (1 … 999) recorded from diffusers 0.35.2.
    @Test func everyRecordedScheduleMatchesDiffusers() throws {
        let file = try SafetensorsFile(contentsOf: schedulerFixturesDirectory.appendingPathComponent("timesteps.safetensors"))
        #expect(file.tensorNames.count > 400)
        var failures: [String] = []
        for name in file.tensorNames {
            let parts = name.split(separator: ".").map(String.init)
            guard parts.count == 3, let kind = SchedulerKind(rawValue: parts[0]), let steps = Int(parts[2]) else {
                failures.append("bad key \(name)"); continue
            }
            let expected = try file.tensor(named: name).floats()
            do {
                let ours = try Self.configuration(named: parts[1]).build(inferenceSteps: steps, kind: kind).timesteps
                // Euler Karras timesteps are fractional and come from numpy's float32 log: allow one ulp.
                let fractional = parts[1] == "sd1_karras" && kind != .dpmSolverMultistep
                let matches = fractional ? maxRelativeDifference(ours, expected) <= 1e-6 : ours == expected
                if !matches { failures.append("\(name): \(ours) vs \(expected)") }
            } catch {
                failures.append("\(name): threw \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches: \(failures.prefix(5))")
    }
}
