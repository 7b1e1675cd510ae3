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
}
