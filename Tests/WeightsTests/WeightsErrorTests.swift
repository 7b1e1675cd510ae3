import Foundation
import Testing
@testable import Weights

@Suite("WeightsError")
struct WeightsErrorTests {

    @Test("tensorName and underlyingReason look through invalidFile")
    func unwrapping() {
        let error = WeightsError.invalidFile(path: "/m.safetensors", reason: .overlappingTensors(tensor: "b", other: "a"))
        #expect(error.tensorName == "b")
        #expect(error.underlyingReason == .overlappingTensors(tensor: "b", other: "a"))
        #expect(WeightsError.headerNotObject.tensorName == nil)
        #expect(WeightsError.tensorNotFound(name: "x").tensorName == "x")
    }

    @Test("descriptions are sentences naming the file and the tensor")
    func descriptions() {
        let error = WeightsError.invalidFile(path: "/m.safetensors",
                                             reason: .byteCountMismatch(tensor: "w", expected: 16, found: 12))
        #expect(error.description
            == "invalid safetensors file '/m.safetensors': tensor 'w' needs 16 bytes for its shape and dtype but its offsets span 12")
        #expect(error.localizedDescription == error.description)
        #expect(WeightsError.checksumMismatch(path: "/f", expected: "aa", found: "bb").description
            == "SHA-256 of '/f' is bb, expected aa")
    }
}
