import Testing
@testable import Weights

@Suite("SafetensorsHeader")
struct SafetensorsHeaderTests {

    @Test("parses entries, metadata and the data region from bytes alone")
    func parsesFromBytes() throws {
        let header = "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[8,12]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        let bytes = safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 20))
        let parsed = try SafetensorsHeader(parsing: bytes)
        #expect(parsed.tensors.map(\.name) == ["b", "a"])
        #expect(parsed.metadata == ["format": "pt"])
        #expect(parsed.headerByteCount == header.utf8.count)
        #expect(parsed.dataRegionOffset == 8 + header.utf8.count)
        #expect(parsed.dataRegionByteCount == 20)
        let b = try #require(parsed.info(named: "b"))
        #expect(b.dataType == .bfloat16)
        #expect(b.shape == [2, 1])
        #expect(b.dataOffsets == 8..<12)
        #expect(b.elementCount == 2)
        #expect(b.byteCount == 4)
        #expect(parsed.info(named: "__metadata__") == nil)
    }

    @Test("gaps between tensors and zero-length tensors anywhere are allowed")
    func gapsAndEmptyTensors() throws {
        let header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[6,6]},"
            + "\"s\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[12,13]}}"
        let parsed = try SafetensorsHeader(parsing: safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 16)))
        #expect(parsed.tensors.count == 3)
        #expect(parsed.info(named: "s")?.elementCount == 1)
    }

    @Test("an entry's unknown extra fields are ignored; -0 is a zero dimension")
    func lenientWhereHarmless() throws {
        let header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-0,3],\"data_offsets\":[0,0],\"note\":[1]}}"
        let parsed = try SafetensorsHeader(parsing: safetensorsBytes(header: header))
        #expect(parsed.info(named: "a")?.shape == [0, 3])
    }

    @Test("limits on header size, tensor count and rank are enforced")
    func limits() throws {
        let entry = "{\"dtype\":\"U8\",\"shape\":[1,1,1],\"data_offsets\":[0,1]}"
        let bytes = safetensorsBytes(header: "{\"a\":\(entry),\"b\":\(entry.replacingOccurrences(of: "[0,1]", with: "[1,2]"))}",
                                     data: [0, 0])
        #expect(throws: WeightsError.tooManyTensors(count: 2, limit: 1)) {
            try SafetensorsHeader(parsing: bytes, limits: SafetensorsLimits(maximumTensorCount: 1))
        }
        #expect(throws: WeightsError.invalidField(tensor: "a", field: "shape", reason: "rank 3 exceeds the limit of 2")) {
            try SafetensorsHeader(parsing: bytes, limits: SafetensorsLimits(maximumRank: 2))
        }
        #expect(throws: WeightsError.headerTooLarge(declared: UInt64(bytes.count - 10), limit: 16)) {
            try SafetensorsHeader(parsing: bytes, limits: SafetensorsLimits(maximumHeaderByteCount: 16))
        }
        _ = try SafetensorsHeader(parsing: bytes)
    }

    @Test("a repeated __metadata__ key is a duplicate")
    func duplicateMetadata() {
        let bytes = safetensorsBytes(header: "{\"__metadata__\":{},\"__metadata__\":{}}")
        #expect(throws: WeightsError.duplicateTensor(name: "__metadata__")) { try SafetensorsHeader(parsing: bytes) }
    }

    @Test("duplicate metadata keys are refused")
    func duplicateMetadataKeys() {
        let bytes = safetensorsBytes(header: "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}")
        #expect(throws: WeightsError.invalidMetadata(reason: "key 'a' appears more than once")) {
            try SafetensorsHeader(parsing: bytes)
        }
    }
}
