import Testing
import Tensor
@testable import Diffusion

@Suite struct DPMSolverMultistepSchedulerTests {
    @Test(arguments: SchedulerFixtures.cases(of: .dpmSolverMultistep))
    func matchesDiffusersTrajectory(_ fixture: SchedulerFixtureCase) throws {
        try expectParity(fixture)
    }

    @Test func fixturesCoverThisScheduler() {
        #expect(SchedulerFixtures.cases(of: .dpmSolverMultistep).count >= 3)
    }

    @Test func karrasTimestepsAreDescendingIntegers() throws {
        var configuration = SchedulerConfiguration.stableDiffusionV1
        configuration.useKarrasSigmas = true
        let scheduler = try DPMSolverMultistepScheduler(configuration: configuration, inferenceSteps: 25)
        #expect(scheduler.timesteps.count == 25)
        #expect(scheduler.timesteps.allSatisfy { $0 == $0.rounded() })
        #expect(zip(scheduler.timesteps, scheduler.timesteps.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(scheduler.sigmas.last == 0)
    }

    @Test func theLastStepWithAZeroFinalSigmaReturnsTheDataPrediction() throws {
        var scheduler = try DPMSolverMultistepScheduler(configuration: .stableDiffusionV1, inferenceSteps: 2)
        let x = Tensor(repeating: 0.8, shape: [4]), e = Tensor(repeating: 0.2, shape: [4])
        _ = try scheduler.step(modelOutput: e, timestep: scheduler.timesteps[0], sample: x)
        let last = try scheduler.step(modelOutput: e, timestep: scheduler.timesteps[1], sample: x).scalars[0]
        let sigma = scheduler.sigmas[1]
        let alpha = 1 / (sigma * sigma + 1).squareRoot()
        #expect(abs(last - (0.8 - sigma * alpha * 0.2) / alpha) < 1e-5)
    }
}
