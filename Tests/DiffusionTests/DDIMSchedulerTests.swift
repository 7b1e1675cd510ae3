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
}
