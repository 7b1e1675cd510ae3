import Foundation
import Testing
@testable import Weights

@Suite("SafetensorsFile")
struct SafetensorsFileTests {

    /// Expected values written by Tools/reference/make_weights_fixtures.py.
    struct ReferenceTensor {
        var dataType: String
        var shape: [Int]
        var values: [Double]
    }

    static func referenceTensors() throws -> (tensors: [String: ReferenceTensor], metadata: [String: String], sha256: String) {
        let data = try Data(contentsOf: weightsFixturesDirectory.appendingPathComponent("reference_mixed.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try #require(root["tensors"] as? [String: [String: Any]])
        var tensors: [String: ReferenceTensor] = [:]
        for (name, entry) in entries {
            tensors[name] = ReferenceTensor(
                dataType: try #require(entry["dtype"] as? String),
                shape: try #require(entry["shape"] as? [Int]),
                values: try #require((entry["values"] as? [NSNumber])?.map(\.doubleValue)))
        }
        return (tensors, try #require(root["metadata"] as? [String: String]), try #require(root["sha256"] as? String))
    }

    @Test("reads every tensor of the Python-written fixture bit for bit")
    func readsPythonFixture() throws {
        let reference = try Self.referenceTensors()
        let file = try SafetensorsFile(contentsOf: weightsFixturesDirectory.appendingPathComponent("reference_mixed.safetensors"))
        #expect(Set(file.tensorNames) == Set(reference.tensors.keys))
        #expect(file.metadata == reference.metadata)
        for (name, expected) in reference.tensors {
            let tensor = try file.tensor(named: name)
            #expect(tensor.dataType.rawValue == expected.dataType, "\(name)")
            #expect(tensor.shape == expected.shape, "\(name)")
            #expect(tensor.elementCount == expected.values.count, "\(name)")
            if tensor.dataType == .int64 {
                #expect(try tensor.integers() == expected.values.map { Int($0) }, "\(name)")
            } else {
                let values = try tensor.floats()
                let expectedBits = expected.values.map { Float($0).bitPattern }
                #expect(values.map(\.bitPattern) == expectedBits, "\(name)")
            }
        }
    }

    @Test("covers all three float dtypes in the fixture")
    func fixtureHasAllFloatTypes() throws {
        let file = try SafetensorsFile(contentsOf: weightsFixturesDirectory.appendingPathComponent("reference_mixed.safetensors"))
        let types = Set(file.tensors.map(\.dataType))
        #expect(types.isSuperset(of: [.float32, .float16, .bfloat16, .int64]))
    }
}


/// One malformed file and the error it must produce.
struct MalformedFileCase: Sendable, CustomTestStringConvertible {
    var label: String
    var bytes: [UInt8]
    /// The `WeightsError` case name expected inside `invalidFile`.
    var caseName: String
    /// The tensor the error must name (nil when the problem has no tensor).
    var tensor: String?
    /// When set, the whole inner error must equal this value.
    var exactly: WeightsError?

    var testDescription: String { label }

    init(_ label: String, _ bytes: [UInt8], _ caseName: String, tensor: String? = nil, exactly: WeightsError? = nil) {
        self.label = label
        self.bytes = bytes
        self.caseName = caseName
        self.tensor = tensor
        self.exactly = exactly
    }

    init(_ label: String, header: String, data: [UInt8] = [], _ caseName: String, tensor: String? = nil,
         exactly: WeightsError? = nil) {
        self.init(label, safetensorsBytes(header: header, data: data), caseName, tensor: tensor, exactly: exactly)
    }
}

/// A header entry's JSON text.
private func entry(_ dataType: String = "\"F32\"", shape: String = "[2]", offsets: String = "[0,8]") -> String {
    "{\"dtype\":\(dataType),\"shape\":\(shape),\"data_offsets\":\(offsets)}"
}

private let eightBytes = [UInt8](repeating: 0, count: 8)
private let sixteenBytes = [UInt8](repeating: 0, count: 16)

let malformedFileCases: [MalformedFileCase] = [
    // Framing.
    MalformedFileCase("empty file", [], "truncatedHeaderLength", exactly: .truncatedHeaderLength(byteCount: 0)),
    MalformedFileCase("truncated length", [8, 0, 0, 0, 0], "truncatedHeaderLength",
                      exactly: .truncatedHeaderLength(byteCount: 5)),
    MalformedFileCase("header length past end of file", [100, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8),
                      "headerLengthPastEnd", exactly: .headerLengthPastEnd(declared: 100, available: 2)),
    MalformedFileCase("header length of 2^64-1", [UInt8](repeating: 0xFF, count: 8) + Array("{}".utf8),
                      "headerTooLarge", exactly: .headerTooLarge(declared: UInt64.max, limit: 100_000_000)),
    MalformedFileCase("header length 0", [UInt8](repeating: 0, count: 8), "invalidHeaderJSON"),

    // JSON syntax.
    MalformedFileCase("unterminated object", header: "{\"w\":", "invalidHeaderJSON"),
    MalformedFileCase("trailing garbage", header: "{} x", "invalidHeaderJSON",
                      exactly: .invalidHeaderJSON(offset: 3, reason: "unexpected content after the JSON value")),
    MalformedFileCase("single quotes", header: "{'w':1}", "invalidHeaderJSON"),
    MalformedFileCase("trailing comma", header: "{\"w\":\(entry()),}", data: eightBytes, "invalidHeaderJSON"),
    MalformedFileCase("invalid UTF-8 in a key",
                      safetensorsBytes(header: "{\"\u{1}\"}").enumerated().map { $0.offset == 10 ? 0xFF : $0.element },
                      "invalidHeaderJSON"),
    MalformedFileCase("lone surrogate escape", header: "{\"\\udc00\":{}}", "invalidHeaderJSON"),
    MalformedFileCase("nesting deeper than the limit",
                      header: "{\"w\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}",
                      "invalidHeaderJSON"),
    MalformedFileCase("raw newline in a string", header: "{\"a\nb\":{}}", "invalidHeaderJSON"),
    MalformedFileCase("leading zero in a number", header: "{\"w\":\(entry(offsets: "[00,8]"))}", data: eightBytes,
                      "invalidHeaderJSON"),

    // Header shape.
    MalformedFileCase("array header", header: "[1,2]", "headerNotObject", exactly: .headerNotObject),
    MalformedFileCase("string header", header: "\"abc\"", "headerNotObject", exactly: .headerNotObject),
    MalformedFileCase("duplicate tensor key", header: "{\"w\":\(entry()),\"w\":\(entry())}", data: eightBytes,
                      "duplicateTensor", tensor: "w", exactly: .duplicateTensor(name: "w")),
    MalformedFileCase("metadata with a number value", header: "{\"__metadata__\":{\"a\":1}}", "invalidMetadata"),
    MalformedFileCase("metadata not an object", header: "{\"__metadata__\":[]}", "invalidMetadata"),

    // Entries.
    MalformedFileCase("entry not an object", header: "{\"w\":3}", "invalidField", tensor: "w"),
    MalformedFileCase("missing dtype", header: "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", data: eightBytes,
                      "missingField", tensor: "w", exactly: .missingField(tensor: "w", field: "dtype")),
    MalformedFileCase("missing shape", header: "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", data: eightBytes,
                      "missingField", tensor: "w", exactly: .missingField(tensor: "w", field: "shape")),
    MalformedFileCase("missing data_offsets", header: "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", data: eightBytes,
                      "missingField", tensor: "w", exactly: .missingField(tensor: "w", field: "data_offsets")),
    MalformedFileCase("unknown dtype", header: "{\"w\":\(entry("\"F31\""))}", data: eightBytes,
                      "unknownDataType", tensor: "w", exactly: .unknownDataType(tensor: "w", dataType: "F31")),
    MalformedFileCase("lowercase dtype", header: "{\"w\":\(entry("\"f32\""))}", data: eightBytes,
                      "unknownDataType", tensor: "w", exactly: .unknownDataType(tensor: "w", dataType: "f32")),
    MalformedFileCase("dtype not a string", header: "{\"w\":\(entry("4"))}", data: eightBytes,
                      "invalidField", tensor: "w"),
    MalformedFileCase("duplicate field inside an entry",
                      header: "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                      data: eightBytes, "invalidField", tensor: "w",
                      exactly: .invalidField(tensor: "w", field: "dtype", reason: "field appears more than once")),
    MalformedFileCase("shape not an array", header: "{\"w\":\(entry(shape: "2"))}", data: eightBytes,
                      "invalidField", tensor: "w"),
    MalformedFileCase("fractional dimension", header: "{\"w\":\(entry(shape: "[2.0]"))}", data: eightBytes,
                      "invalidField", tensor: "w"),
    MalformedFileCase("exponent dimension", header: "{\"w\":\(entry(shape: "[2e0]"))}", data: eightBytes,
                      "invalidField", tensor: "w"),
    MalformedFileCase("negative dimension", header: "{\"w\":\(entry(shape: "[2,-1]"))}", data: eightBytes,
                      "negativeDimension", tensor: "w", exactly: .negativeDimension(tensor: "w", index: 1)),
    MalformedFileCase("dimension larger than Int", header: "{\"w\":\(entry(shape: "[99999999999999999999]"))}",
                      data: eightBytes, "sizeOverflow", tensor: "w", exactly: .sizeOverflow(tensor: "w")),
    MalformedFileCase("element count overflows", header: "{\"w\":\(entry(shape: "[4294967296,4294967296]"))}",
                      data: eightBytes, "sizeOverflow", tensor: "w", exactly: .sizeOverflow(tensor: "w")),
    MalformedFileCase("byte count overflows", header: "{\"w\":\(entry("\"F64\"", shape: "[2305843009213693952]"))}",
                      data: eightBytes, "sizeOverflow", tensor: "w", exactly: .sizeOverflow(tensor: "w")),
    MalformedFileCase("rank above the limit", header: "{\"w\":\(entry(shape: "[" + Array(repeating: "1", count: 33).joined(separator: ",") + "]", offsets: "[0,4]"))}",
                      data: eightBytes, "invalidField", tensor: "w"),
    MalformedFileCase("shape and byte count disagree", header: "{\"w\":\(entry(shape: "[2,2]", offsets: "[0,12]"))}",
                      data: sixteenBytes, "byteCountMismatch", tensor: "w",
                      exactly: .byteCountMismatch(tensor: "w", expected: 16, found: 12)),
    MalformedFileCase("offsets not a pair", header: "{\"w\":\(entry(offsets: "[0,4,8]"))}", data: eightBytes,
                      "invalidField", tensor: "w"),
    MalformedFileCase("negative offset", header: "{\"w\":\(entry(offsets: "[-8,0]"))}", data: eightBytes,
                      "invalidField", tensor: "w"),
    MalformedFileCase("offset larger than Int", header: "{\"w\":\(entry(offsets: "[0,18446744073709551616]"))}",
                      data: eightBytes, "sizeOverflow", tensor: "w"),
    MalformedFileCase("offsets reversed", header: "{\"w\":\(entry(shape: "[1]", offsets: "[8,4]"))}", data: eightBytes,
                      "offsetsReversed", tensor: "w", exactly: .offsetsReversed(tensor: "w", begin: 8, end: 4)),
    MalformedFileCase("offsets past the end", header: "{\"w\":\(entry(shape: "[4]", offsets: "[0,16]"))}",
                      data: eightBytes, "offsetsPastEnd", tensor: "w",
                      exactly: .offsetsPastEnd(tensor: "w", end: 16, dataRegionLength: 8)),
    MalformedFileCase("overlapping tensors",
                      header: "{\"a\":\(entry(offsets: "[0,8]")),\"b\":\(entry(offsets: "[4,12]"))}", data: sixteenBytes,
                      "overlappingTensors", tensor: "b", exactly: .overlappingTensors(tensor: "b", other: "a")),
    MalformedFileCase("tensor inside another",
                      header: "{\"a\":\(entry(shape: "[4]", offsets: "[0,16]")),\"b\":\(entry(shape: "[1]", offsets: "[4,8]"))}",
                      data: sixteenBytes, "overlappingTensors", tensor: "b"),
]

@Suite("SafetensorsFile malformed input")
struct SafetensorsFileMalformedTests {

    @Test("a malformed file is a WeightsError naming the problem and the tensor", arguments: malformedFileCases)
    func malformedFile(_ testCase: MalformedFileCase) throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write(testCase.bytes, named: "malformed.safetensors")
        let error = try #require(weightsError { _ = try SafetensorsFile(contentsOf: url) })
        guard case .invalidFile(let path, let reason) = error else {
            Issue.record("expected invalidFile, got \(error)")
            return
        }
        #expect(path == url.path)
        #expect(Self.caseName(of: reason) == testCase.caseName, "\(reason)")
        #expect(error.tensorName == testCase.tensor)
        if let exactly = testCase.exactly {
            #expect(reason == exactly)
        }
        #expect(!error.description.isEmpty)
    }

    @Test("the table covers at least 25 malformed files with distinct inputs")
    func tableSize() {
        #expect(malformedFileCases.count >= 25)
        #expect(Set(malformedFileCases.map(\.bytes)).count == malformedFileCases.count)
    }

    @Test("every truncation of a valid file is rejected or read, never a crash")
    func everyTruncation() throws {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add("a", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        try writer.add("b", shape: [3], floats: [1, 2, 3], storedAs: .bfloat16)
        let bytes = writer.serializedBytes()
        let directory = try TemporaryDirectory()
        for length in 0..<bytes.count {
            let url = try directory.write(Array(bytes.prefix(length)), named: "truncated-\(length).safetensors")
            #expect(weightsError { _ = try SafetensorsFile(contentsOf: url) } != nil, "length \(length)")
        }
    }

    @Test("a missing file and a directory are unreadable, not invalid")
    func unreadablePaths() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.url.appendingPathComponent("absent.safetensors")
        guard case .fileUnreadable(let path, _) = weightsError({ _ = try SafetensorsFile(contentsOf: missing) }) else {
            Issue.record("expected fileUnreadable")
            return
        }
        #expect(path == missing.path)
        guard case .fileUnreadable = weightsError({ _ = try SafetensorsFile(contentsOf: directory.url) }) else {
            Issue.record("expected fileUnreadable for a directory")
            return
        }
    }

    static func caseName(of error: WeightsError) -> String {
        // Mirror lists no child for a case without payload.
        if error == .headerNotObject { return "headerNotObject" }
        return Mirror(reflecting: error).children.first?.label ?? String(describing: error)
    }
}
