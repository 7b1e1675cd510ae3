import Testing
@testable import Diffusion

@Suite struct SchedulerKindTests {
    @Test(arguments: SchedulerKind.allCases)
    func namesRoundTrip(kind: SchedulerKind) {
        #expect(SchedulerKind(name: kind.rawValue) == kind)
        #expect(SchedulerKind(name: kind.shortName) == kind)
        #expect(SchedulerKind(name: kind.shortName.uppercased()) == kind)
    }

    @Test func unknownNamesAreRejected() {
        #expect(SchedulerKind(name: "LMSDiscreteScheduler") == nil)
        #expect(SchedulerKind(name: "") == nil)
    }
}
