import Testing
import Tensor
@testable import Diffusion

@Suite struct PNDMSchedulerTests {
    @Test(arguments: SchedulerFixtures.cases(of: .pndm))
    func matchesDiffusersTrajectory(_ fixture: SchedulerFixtureCase) throws {
        try expectParity(fixture)
    }

    @Test func fixturesCoverThisScheduler() {
        #expect(SchedulerFixtures.cases(of: .pndm).count >= 3)
    }

    @Test func rungeKuttaWarmUpTimesteps() throws {
        var configuration = SchedulerConfiguration.stableDiffusionV1
        configuration.skipPrkSteps = false
        let scheduler = try PNDMScheduler(configuration: configuration, inferenceSteps: 20)
        #expect(scheduler.timesteps.prefix(12) == [951, 926, 926, 901, 901, 876, 876, 851, 851, 826, 826, 801])
        #expect(scheduler.timesteps.dropFirst(12).prefix(2) == [801, 751])  // PLMS restarts at the last PRK anchor
        #expect(scheduler.timesteps.count == 12 + 17)
    }

    @Test func tooFewStepsForRungeKuttaAreRejected() throws {
        var configuration = SchedulerConfiguration.stableDiffusionV1
        configuration.skipPrkSteps = false
        #expect(throws: SchedulerError.self) { _ = try PNDMScheduler(configuration: configuration, inferenceSteps: 3) }
        #expect(try PNDMScheduler(configuration: .stableDiffusionV1, inferenceSteps: 1).timesteps == [1])
    }
}
