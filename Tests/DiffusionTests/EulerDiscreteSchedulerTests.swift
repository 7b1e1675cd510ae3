import Testing
import Tensor
@testable import Diffusion

@Suite struct EulerDiscreteSchedulerTests {
    @Test(arguments: SchedulerFixtures.cases(of: .eulerDiscrete))
    func matchesDiffusersTrajectory(_ fixture: SchedulerFixtureCase) throws {
        // Karras timesteps are fractional and come from numpy's float32 log (not correctly rounded,
        // CPU-dependent): a few differ from ours by one float32 ulp. Integer schedules match exactly.
        try expectParity(fixture, timestepTolerance: fixture.name.contains("karras") ? 1e-6 : 0)
    }

    @Test func fixturesCoverThisScheduler() {
        #expect(SchedulerFixtures.cases(of: .eulerDiscrete).count >= 3)
    }

    @Test func initNoiseSigmaDependsOnSpacing() throws {
        let linspace = try EulerDiscreteScheduler(configuration: .stableDiffusionV1, inferenceSteps: 20)
        #expect(abs(linspace.initNoiseSigma - linspace.sigmas[0]) < 1e-6)
        var leadingConfiguration = SchedulerConfiguration.stableDiffusionV1
        leadingConfiguration.timestepSpacing = "leading"
        let leading = try EulerDiscreteScheduler(configuration: leadingConfiguration, inferenceSteps: 20)
        #expect(abs(leading.initNoiseSigma - (leading.sigmas[0] * leading.sigmas[0] + 1).squareRoot()) < 1e-5)
        #expect(linspace.sigmas.count == 21 && linspace.sigmas.last == 0)
    }

    @Test func churnDrawsNoise() throws {
        var scheduler = try EulerDiscreteScheduler(configuration: .stableDiffusionV1, inferenceSteps: 10)
        #expect(!scheduler.drawsNoise)
        scheduler.churn = 1
        #expect(scheduler.drawsNoise)
        var generator = TorchGenerator(seed: 1)
        var untouched = generator
        let x = Tensor(repeating: 1, shape: [16])
        _ = try scheduler.step(modelOutput: x, timestep: scheduler.timesteps[0], sample: x, generator: &generator)
        #expect(generator.randn(count: 1) != untouched.randn(count: 1))
    }
}
