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
}
