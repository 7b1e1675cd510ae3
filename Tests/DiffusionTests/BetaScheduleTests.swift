import Testing
@testable import Diffusion

@Suite struct BetaScheduleTests {
    /// ᾱ_t for every beta schedule against diffusers' float32 `alphas_cumprod`.
    @Test(arguments: ["ddim_sd1", "ddim_cosine_linspace", "ddim_linear_defaults"])
    func alphasCumprodMatchDiffusers(caseName: String) throws {
        let expected = try SchedulerFixtures.tensor("\(caseName).alphas_cumprod", in: SchedulerFixtures.trajectories).values
        let configuration = try SchedulerFixtures.configuration(for: caseName)
        let schedule = try configuration.noiseSchedule()
        #expect(schedule.trainSteps == 1000)
        #expect(maxRelativeDifference(schedule.alphasCumprod, expected) <= 2e-6)
        // Relative to each value (ᾱ reaches ~5e-3 for SD and ~0 for cosine).
        let relative = zip(schedule.alphasCumprod, expected).map { abs($0 - $1) / max($1, 1e-6) }.max() ?? 1
        #expect(relative <= 2e-5)
    }

    @Test func linspaceHitsBothEndpoints() {
        let values = BetaSchedule.float32Linspace(0.1, 0.7, count: 7)
        #expect(values.first == 0.1)
        #expect(values.last == 0.7)
        #expect(BetaSchedule.float32Linspace(3, 4, count: 1) == [3])
    }

    @Test func scaledLinearSquaresTheRootSpacing() {
        let betas = BetaSchedule.scaledLinear.betas(trainSteps: 1000, start: 0.00085, end: 0.012)
        #expect(abs(betas[0] - 0.00085) < 1e-9)
        #expect(abs(betas[999] - 0.012) < 1e-8)
    }

    @Test func cosineBetasAreCapped() {
        let betas = BetaSchedule.squaredcosCapV2.betas(trainSteps: 1000, start: 0, end: 0)
        #expect(betas.max() == 0.999)
        #expect(betas.allSatisfy { $0 > 0 })
    }

    @Test func zeroTerminalSNRRescaleEndsAtZero() {
        let schedule = NoiseSchedule(schedule: .scaledLinear, trainSteps: 1000, betaStart: 0.00085, betaEnd: 0.012,
                                     rescaleToZeroTerminalSNR: true)
        #expect(schedule.alphasCumprod.last == 0)
        let plain = NoiseSchedule(schedule: .scaledLinear, trainSteps: 1000, betaStart: 0.00085, betaEnd: 0.012)
        #expect(abs(schedule.alphasCumprod[0] - plain.alphasCumprod[0]) < 1e-6)
    }
}
