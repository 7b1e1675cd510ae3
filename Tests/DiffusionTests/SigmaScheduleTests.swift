import Testing
@testable import Diffusion

@Suite struct SigmaScheduleTests {
    @Test func interpolationClampsAndIsLinear() {
        let table: [Double] = [1, 3, 7]
        #expect(SigmaSchedule.interpolate(-1, in: table) == 1)
        #expect(SigmaSchedule.interpolate(0.5, in: table) == 2)
        #expect(SigmaSchedule.interpolate(1.25, in: table) == 4)
        #expect(SigmaSchedule.interpolate(2, in: table) == 7)
        #expect(SigmaSchedule.interpolate(9, in: table) == 7)
    }

    @Test func karrasRunsFromMaxToMin() {
        let sigmas = SigmaSchedule.karras(sigmaMin: 0.03, sigmaMax: 14.6, count: 10)
        #expect(abs(sigmas[0] - 14.6) < 1e-9)
        #expect(abs(sigmas[9] - 0.03) < 1e-12)
        #expect(zip(sigmas, sigmas.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test func sigmaToTimestepInvertsTheTable() {
        let logSigmas: [Double] = [0, 1, 2, 3]
        #expect(SigmaSchedule.timestep(forSigma: 1, logSigmas: logSigmas) == 0)
        #expect(abs(SigmaSchedule.timestep(forSigma: 4.4816890703380645, logSigmas: logSigmas) - 1.5) < 1e-12)
        #expect(SigmaSchedule.timestep(forSigma: 1e6, logSigmas: logSigmas) == 3)
        #expect(SigmaSchedule.timestep(forSigma: 0, logSigmas: logSigmas) == 0)
    }
}
