import Testing
@testable import Detection

/// `CosineSchedule` against the values the reference report (detection_segmentation.md A2/A3) measured
/// with the official code.
@Suite struct CosineScheduleTests {
    @Test func alphasCumprodAtKeyTimesteps() {
        let schedule = CosineSchedule(timesteps: 1000)
        #expect(schedule.timesteps == 1000)
        #expect(abs(schedule.alphasCumprod[249] - 0.847) < 5e-4)
        #expect(abs(schedule.alphasCumprod[499] - 0.494) < 5e-4)
        #expect(abs(schedule.alphasCumprod[749] - 0.144) < 5e-4)
        #expect(schedule.alphasCumprod[999] > 1e-9 && schedule.alphasCumprod[999] < 5e-9)
        #expect(zip(schedule.alphasCumprod, schedule.alphasCumprod.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test(arguments: [
        (1, [999, -1]),
        (2, [999, 499, -1]),
        (3, [999, 665, 332, -1]),
        (4, [999, 749, 499, 249, -1]),
        (8, [999, 874, 749, 624, 499, 374, 249, 124, -1]),
    ])
    func timePairsFollowTruncatedLinspace(steps: Int, times: [Int]) {
        let pairs = CosineSchedule(timesteps: 1000).timePairs(steps: steps)
        #expect(pairs.map(\.current) == Array(times.dropLast()))
        #expect(pairs.map(\.next) == Array(times.dropFirst()))
    }

    @Test func ddimCoefficientsForFourSteps() {
        // A3: (√ᾱ_next, c, σ) for S = 4, η = 1.
        let schedule = CosineSchedule(timesteps: 1000)
        let expected: [(Double, Double, Double)] = [(0.380, 0.000, 0.925), (0.703, 0.296, 0.647), (0.920, 0.164, 0.355)]
        for (pair, (root, c, sigma)) in zip(schedule.timePairs(steps: 4), expected) {
            let alpha = schedule.alphasCumprod[pair.current], next = schedule.alphasCumprod[pair.next]
            let s = ((1 - alpha / next) * (1 - next) / (1 - alpha)).squareRoot()
            #expect(abs(next.squareRoot() - root) < 1e-3)
            #expect(abs((1 - next - s * s).squareRoot() - c) < 1e-3)
            #expect(abs(s - sigma) < 1e-3)
        }
    }
}
