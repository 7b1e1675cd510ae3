import Testing
import Tensor
@testable import Diffusion

@Suite struct EulerAncestralDiscreteSchedulerTests {
    @Test(arguments: SchedulerFixtures.cases(of: .eulerAncestralDiscrete))
    func matchesDiffusersTrajectory(_ fixture: SchedulerFixtureCase) throws {
        try expectParity(fixture)
    }

    @Test func fixturesCoverThisScheduler() {
        #expect(SchedulerFixtures.cases(of: .eulerAncestralDiscrete).count >= 3)
    }

    @Test func noiseIsDrawnOnEveryStepIncludingTheLast() throws {
        var scheduler = try EulerAncestralDiscreteScheduler(configuration: .stableDiffusionV1, inferenceSteps: 3)
        var generator = TorchGenerator(seed: 2)
        var reference = TorchGenerator(seed: 2)
        var x = Tensor(repeating: 1, shape: [20])
        for t in scheduler.timesteps {
            x = try scheduler.step(modelOutput: Elementwise.scaled(x, 0.1), timestep: t, sample: x, generator: &generator)
            _ = reference.randn(count: 20)
        }
        #expect(generator.randn(count: 4) == reference.randn(count: 4))
    }
}
