import Testing
@testable import Weights

@Suite("SafetensorsLimits")
struct SafetensorsLimitsTests {

    @Test("the standard limits follow the reference implementation's header cap")
    func standard() {
        #expect(SafetensorsLimits.standard.maximumHeaderByteCount == 100_000_000)
        #expect(SafetensorsLimits.standard == SafetensorsLimits())
    }

    @Test("a header exactly at the size limit is accepted, one byte more is not")
    func boundary() throws {
        let header = "{}      "
        let bytes = safetensorsBytes(header: header)
        _ = try SafetensorsHeader(parsing: bytes, limits: SafetensorsLimits(maximumHeaderByteCount: header.utf8.count))
        #expect(throws: WeightsError.headerTooLarge(declared: UInt64(header.utf8.count), limit: header.utf8.count - 1)) {
            try SafetensorsHeader(parsing: bytes, limits: SafetensorsLimits(maximumHeaderByteCount: header.utf8.count - 1))
        }
    }

    @Test("a negative header limit refuses every header instead of trapping")
    func negativeLimit() {
        #expect(throws: WeightsError.headerTooLarge(declared: 2, limit: -1)) {
            try SafetensorsHeader(parsing: safetensorsBytes(header: "{}"), limits: SafetensorsLimits(maximumHeaderByteCount: -1))
        }
    }
}
