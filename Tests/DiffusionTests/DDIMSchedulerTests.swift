import Testing
import Tensor
@testable import Diffusion

@Suite struct DDIMSchedulerTests {
    @Test(arguments: SchedulerFixtures.cases(of: .ddim))
    func matchesDiffusersTrajectory(_ fixture: SchedulerFixtureCase) throws {
        try expectParity(fixture)
    }

    @Test func fixturesCoverThisScheduler() {
        #expect(SchedulerFixtures.cases(of: .ddim).count >= 3)
    }

    @Test func etaMakesItStochasticAndConsumesOneDrawPerElement() throws {
        var scheduler = try DDIMScheduler(configuration: .stableDiffusionV1, inferenceSteps: 10, eta: 1)
        #expect(scheduler.drawsNoise)
        var generator = TorchGenerator(seed: 4)
        var reference = TorchGenerator(seed: 4)
        let x = Tensor(repeating: 0.2, shape: [2, 20])
        _ = try scheduler.step(modelOutput: x, timestep: scheduler.timesteps[0], sample: x, generator: &generator)
        _ = reference.randn(shape: [2, 20])
        #expect(generator.randn(count: 3) == reference.randn(count: 3))
        #expect(throws: SchedulerError.self) { _ = try DDIMScheduler(configuration: .stableDiffusionV1, inferenceSteps: 10, eta: -1) }
    }

    @Test func setAlphaToOneChangesOnlyTheLastStep() throws {
        var one = SchedulerConfiguration.stableDiffusionV1
        one.setAlphaToOne = true
        var a = try DDIMScheduler(configuration: one, inferenceSteps: 4)
        var b = try DDIMScheduler(configuration: .stableDiffusionV1, inferenceSteps: 4)
        let x = Tensor(repeating: 0.5, shape: [4]), e = Tensor(repeating: 0.1, shape: [4])
        #expect(try a.step(modelOutput: e, timestep: 751, sample: x).scalars == b.step(modelOutput: e, timestep: 751, sample: x).scalars)
        // At t = 1 the previous timestep is −249: ᾱ_prev is 1 with set_alpha_to_one, else ᾱ_0; the final
        // sample is then exactly the predicted x̂₀.
        let last = try a.step(modelOutput: e, timestep: 1, sample: x).scalars
        let alpha = a.schedule.alphasCumprod[1]
        let x0 = (0.5 - (1 - alpha).squareRoot() * 0.1) / alpha.squareRoot()
        #expect(abs(last[0] - x0) < 1e-6)
        #expect(try b.step(modelOutput: e, timestep: 1, sample: x).scalars[0] != last[0])
    }
}
