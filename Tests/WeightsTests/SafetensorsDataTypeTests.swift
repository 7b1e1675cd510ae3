import Testing
@testable import Weights

@Suite("SafetensorsDataType")
struct SafetensorsDataTypeTests {

    @Test("raw values are the specification's dtype strings with their sizes")
    func rawValuesAndSizes() {
        let expected: [String: Int] = [
            "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
            "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8,
        ]
        #expect(Dictionary(uniqueKeysWithValues: SafetensorsDataType.allCases.map { ($0.rawValue, $0.byteSize) }) == expected)
    }

    @Test("only F32, F16 and BF16 widen to Float")
    func widening() {
        #expect(Set(SafetensorsDataType.allCases.filter(\.widensToFloat)) == [.float32, .float16, .bfloat16])
        #expect(!SafetensorsDataType.uint64.readsAsInteger)
        #expect(SafetensorsDataType.int64.readsAsInteger)
    }
}
