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
}
