import Testing
import Tensor
@testable import Diffusion

@Suite struct DDPMSchedulerTests {
    @Test(arguments: SchedulerFixtures.cases(of: .ddpm))
    func matchesDiffusersTrajectory(_ fixture: SchedulerFixtureCase) throws {
        try expectParity(fixture)
    }

    @Test func fixturesCoverThisScheduler() {
        #expect(SchedulerFixtures.cases(of: .ddpm).count >= 3)
    }

    @Test func theFinalStepAddsNoNoise() throws {
        var scheduler = try DDPMScheduler(configuration: .stableDiffusionV1, inferenceSteps: 10)
        var generator = TorchGenerator(seed: 8)
        var untouched = generator
        let x = Tensor(repeating: 0.3, shape: [1, 16])
        _ = try scheduler.step(modelOutput: x, timestep: 1, sample: x, generator: &generator)
        #expect(generator.randn(count: 2) != untouched.randn(count: 2))  // t = 1 > 0 draws
        var last = try DDPMScheduler(configuration: SchedulerConfiguration(), inferenceSteps: 1000)
        #expect(last.timesteps.last == 0)
        var g1 = TorchGenerator(seed: 8), g2 = TorchGenerator(seed: 8)
        _ = try last.step(modelOutput: x, timestep: 0, sample: x, generator: &g1)
        #expect(g1.randn(count: 2) == g2.randn(count: 2))  // t = 0 draws nothing
    }

    @Test func varianceTypesAreParsed() throws {
        var configuration = SchedulerConfiguration.stableDiffusionV1
        for name in ["fixed_small", "fixed_small_log", "fixed_large"] {
            configuration.varianceType = name
            #expect(try DDPMScheduler(configuration: configuration, inferenceSteps: 10).varianceType.rawValue == name)
        }
    }
}
