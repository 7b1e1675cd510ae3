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
}
