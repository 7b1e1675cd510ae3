import Diffusion
import Testing
@testable import Detection

/// Seeded and recorded box noise.
@Suite struct BoxNoiseSourceTests {
    @Test func seededNoiseIsTheTorchRandnStreamOneCallPerDraw() throws {
        var noise = SeededBoxNoise(seed: 11)
        var generator = TorchGenerator(seed: 11)
        #expect(try noise.draw(.initial, rows: 10) == generator.randn(count: 40).map(Double.init))
        #expect(try noise.draw(.ddim(step: 0), rows: 3) == generator.randn(count: 12).map(Double.init))  // < 16: double path
        #expect(try noise.draw(.renewal(step: 0), rows: 0).isEmpty)
        #expect(try noise.draw(.renewal(step: 0), rows: 7) == generator.randn(count: 28).map(Double.init))
    }

    @Test func recordedNoiseReplaysInOrderAndChecksSizes() throws {
        var noise = RecordedBoxNoise(draws: [[1, 2, 3, 4, 5, 6, 7, 8], [], [9, 10, 11, 12]])
        #expect(try noise.draw(.initial, rows: 2) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try noise.draw(.ddim(step: 0), rows: 0).isEmpty)  // consumes the recorded empty draw
        #expect(noise.position == 2)
        #expect(throws: DetectionError.noiseMismatch(draw: 2, reason: "the renewal boxes of step 0 needs 8 values, the recording holds 4")) {
            _ = try noise.draw(.renewal(step: 0), rows: 2)
        }
        #expect(try noise.draw(.renewal(step: 0), rows: 1) == [9, 10, 11, 12])
        #expect(noise.isExhausted)
        #expect(try noise.draw(.ddim(step: 1), rows: 0).isEmpty)  // zero rows need no recording
        #expect(throws: DetectionError.self) { _ = try noise.draw(.ddim(step: 1), rows: 1) }
    }
}
