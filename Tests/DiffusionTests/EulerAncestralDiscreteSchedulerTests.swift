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
}
