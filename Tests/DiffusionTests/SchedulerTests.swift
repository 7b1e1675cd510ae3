import Testing
import Tensor
@testable import Diffusion

/// Protocol-level behaviour shared by every scheduler.
@Suite struct SchedulerTests {
    static func make(_ kind: SchedulerKind, steps: Int = 10) throws -> any Scheduler {
        try SchedulerConfiguration.stableDiffusionV1.build(inferenceSteps: steps, kind: kind)
    }

    @Test(arguments: SchedulerKind.allCases)
    func deterministicStepWithoutGeneratorOnlyWhenNoNoiseIsDrawn(kind: SchedulerKind) throws {
        var scheduler = try Self.make(kind)
        let x = Tensor(repeating: 0.5, shape: [1, 4])
        let t = scheduler.timesteps[0]
        if scheduler.drawsNoise {
            #expect(throws: SchedulerError.generatorRequired(scheduler: kind.rawValue)) {
                _ = try scheduler.step(modelOutput: x, timestep: t, sample: x)
            }
        } else {
            let y = try scheduler.step(modelOutput: x, timestep: t, sample: x)
            #expect(y.shape == [1, 4])
        }
    }

    @Test(arguments: SchedulerKind.allCases)
    func mismatchedShapesThrow(kind: SchedulerKind) throws {
        var scheduler = try Self.make(kind)
        var generator = TorchGenerator(seed: 0)
        let t = scheduler.timesteps[0]
        #expect(throws: SchedulerError.self) {
            _ = try scheduler.step(modelOutput: Tensor.zeros([1, 4]), timestep: t, sample: Tensor.zeros([1, 5]),
                                   generator: &generator)
        }
        #expect(throws: SchedulerError.self) {
            _ = try scheduler.addNoise(original: Tensor.zeros([3]), noise: Tensor.zeros([4]), timestep: t)
        }
    }

    @Test(arguments: [SchedulerKind.ddpm, .ddim, .pndm, .eulerDiscrete, .eulerAncestralDiscrete])
    func foreignTimestepsThrow(kind: SchedulerKind) throws {
        var scheduler = try Self.make(kind)
        var generator = TorchGenerator(seed: 0)
        let x = Tensor.zeros([1, 4])
        for bad: Float in [-1, 1000, 12.5, .nan] {
            #expect(throws: SchedulerError.self, "\(kind) at \(bad)") {
                _ = try scheduler.step(modelOutput: x, timestep: bad, sample: x, generator: &generator)
            }
        }
    }

    @Test(arguments: [SchedulerKind.eulerDiscrete, .eulerAncestralDiscrete, .dpmSolverMultistep])
    func steppingPastTheEndThrows(kind: SchedulerKind) throws {
        var scheduler = try Self.make(kind, steps: 3)
        var generator = TorchGenerator(seed: 0)
        var x = Tensor(repeating: 1, shape: [4])
        for t in scheduler.timesteps {
            x = try scheduler.step(modelOutput: Elementwise.scaled(x, 0.1), timestep: t, sample: x, generator: &generator)
        }
        #expect(throws: SchedulerError.scheduleExhausted(steps: 3)) {
            _ = try scheduler.step(modelOutput: x, timestep: scheduler.timesteps[2], sample: x, generator: &generator)
        }
    }

    @Test func schedulersAreValuesACopyReplaysTheSameSteps() throws {
        var first = try Self.make(.dpmSolverMultistep)
        var generator = TorchGenerator(seed: 0)
        var x = Tensor(repeating: 1, shape: [4])
        x = try first.step(modelOutput: Elementwise.scaled(x, 0.3), timestep: first.timesteps[0], sample: x, generator: &generator)
        var second = first
        let a = try first.step(modelOutput: Elementwise.scaled(x, 0.3), timestep: first.timesteps[1], sample: x, generator: &generator)
        let b = try second.step(modelOutput: Elementwise.scaled(x, 0.3), timestep: second.timesteps[1], sample: x, generator: &generator)
        #expect(a.scalars == b.scalars)
    }

    @Test func scheduleIndexPicksTheSecondOfRepeatedTimesteps() {
        #expect(scheduleIndex(of: 5, in: [9, 5, 5, 1]) == 2)
        #expect(scheduleIndex(of: 9, in: [9, 5, 5, 1]) == 0)
        #expect(scheduleIndex(of: 7, in: [9, 5, 5, 1]) == nil)
    }

    @Test func integerTimestepsAreValidated() throws {
        #expect(try integerTimestep(999, trainSteps: 1000) == 999)
        #expect(throws: SchedulerError.self) { _ = try integerTimestep(1000, trainSteps: 1000) }
        #expect(throws: SchedulerError.self) { _ = try integerTimestep(0.5, trainSteps: 1000) }
        #expect(throws: SchedulerError.self) { _ = try integerTimestep(.infinity, trainSteps: 1000) }
    }
}
