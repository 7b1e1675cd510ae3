import Foundation
import Testing
@testable import Detection

/// detectron2 box-delta decoding with weights (2, 2, 1, 1) and the dw/dh clamp.
@Suite struct BoxDeltaDecoderTests {
    @Test func decodesShiftsAndScales() {
        let decoder = BoxDeltaDecoder()
        let boxes: [Float] = [10, 20, 50, 40, 0, 0, 10, 10]
        // Box 0: no change. Box 1: centre +dx·w/2 = +5, width ×e.
        let deltas: [Float] = [0, 0, 0, 0, 1, 0, 1, 0]
        let decoded = deltas.withUnsafeBufferPointer { decoder.decode($0.baseAddress!, boxes: boxes) }
        #expect(decoded[0..<4] == [10, 20, 50, 40])
        let e = Float(M_E)
        #expect(abs(decoded[4] - (10 - 5 * e)) < 1e-5 && abs(decoded[6] - (10 + 5 * e)) < 1e-5)
        #expect(decoded[5] == 0 && decoded[7] == 10)
    }

    @Test func clampsLogScale() {
        let decoder = BoxDeltaDecoder()
        let deltas: [Float] = [0, 0, 100, 100]
        let decoded = deltas.withUnsafeBufferPointer { decoder.decode($0.baseAddress!, boxes: [0, 0, 16, 16]) }
        // exp(log(100000/16))·16 = 100000 wide, centred at 8.
        #expect(abs(decoded[2] - decoded[0] - 100_000) < 1)
        #expect(abs((decoded[0] + decoded[2]) / 2 - 8) < 1e-2)
    }
}
