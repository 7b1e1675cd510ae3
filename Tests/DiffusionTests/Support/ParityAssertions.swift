import Testing
@testable import Diffusion

/// The parity bar of issue 6: timesteps identical, every step within 1e-4 (relative to max(1, scale)).
///
/// `timestepTolerance` is for schedules whose fractional timesteps come from numpy's float32 `log`, which
/// is not correctly rounded (and differs between CPUs); integer timesteps are always compared exactly.
func expectParity(_ fixture: SchedulerFixtureCase, tolerance: Float = 1e-4, timestepTolerance: Float = 0) throws {
    let replay = try SchedulerFixtures.replay(fixture)
    print("parity \(fixture.name): \(replay.stepErrors.count) steps, worst step error \(replay.worstStepError)")
    if timestepTolerance == 0 {
        #expect(replay.timesteps == replay.expectedTimesteps, "\(fixture.name): timesteps")
    } else {
        #expect(maxRelativeDifference(replay.timesteps, replay.expectedTimesteps) <= timestepTolerance,
                "\(fixture.name): timesteps \(replay.timesteps) vs \(replay.expectedTimesteps)")
    }
    if let expected = replay.expectedSigmas {
        let sigmas = try #require(replay.sigmas, "\(fixture.name): scheduler exposes no sigmas")
        #expect(maxRelativeDifference(sigmas, expected) <= 1e-6, "\(fixture.name): sigmas \(sigmas) vs \(expected)")
    }
    #expect(abs(replay.initNoiseSigma - replay.expectedInitNoiseSigma) <= 1e-6 * max(1, replay.expectedInitNoiseSigma),
            "\(fixture.name): init_noise_sigma")
    #expect(replay.initialMaxError <= 1e-6, "\(fixture.name): initial latents")
    #expect(replay.addNoiseError <= 1e-5, "\(fixture.name): addNoise")
    #expect(replay.stepErrors.count == replay.expectedTimesteps.count, "\(fixture.name): step count")
    #expect(replay.worstStepError <= tolerance, "\(fixture.name): per-step errors \(replay.stepErrors)")
}
