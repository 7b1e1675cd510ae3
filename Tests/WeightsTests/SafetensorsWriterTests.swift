import Foundation
import Testing
@testable import Weights

@Suite("SafetensorsWriter")
struct SafetensorsWriterTests {

    @Test("F32, F16, BF16 and I64 round-trip through a file on disk")
    func roundTrip() throws {
        // Values exactly representable in F16 and BF16, so the round trip is exact.
        let values: [Float] = [0, -0, 1, -1.5, 0.25, 96, -1024, 0.0078125]
        var writer = SafetensorsWriter(metadata: ["format": "pt", "note": "round trip"])
        try writer.add("layer.float32", shape: [2, 4], floats: values)
        try writer.add("layer.float16", shape: [4, 2], floats: values, storedAs: .float16)
        try writer.add("layer.bfloat16", shape: [8], floats: values, storedAs: .bfloat16)
        try writer.add("ids", shape: [1, 3], int64Values: [0, -5, Int64.max])
        try writer.add("scalar", shape: [], floats: [3.5])
        try writer.add("empty", shape: [0, 4], floats: [])

        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("round-trip.safetensors")
        try writer.write(to: url)
        let file = try SafetensorsFile(contentsOf: url)

        #expect(file.metadata == ["format": "pt", "note": "round trip"])
        #expect(file.tensorNames == writer.tensorNames)
        for name in ["layer.float32", "layer.float16", "layer.bfloat16"] {
            #expect(try file.tensor(named: name).floats().map(\.bitPattern) == values.map(\.bitPattern), "\(name)")
        }
        #expect(try file.tensor(named: "layer.float16").dataType == .float16)
        #expect(try file.tensor(named: "layer.float16").shape == [4, 2])
        #expect(try file.tensor(named: "ids").integers() == [0, -5, Int.max])
        #expect(try file.tensor(named: "scalar").floats() == [3.5])
        #expect(try file.tensor(named: "empty").floats() == [])
        #expect(try file.tensor(named: "empty").shape == [0, 4])
    }

    @Test("the header is padded so the data region starts on an 8-byte boundary")
    func alignment() throws {
        for nameLength in 1...9 {
            var writer = SafetensorsWriter()
            try writer.add(String(repeating: "n", count: nameLength), shape: [1], floats: [1])
            let bytes = writer.serializedBytes()
            let header = try SafetensorsHeader(parsing: bytes)
            #expect(header.dataRegionOffset % 8 == 0)
            #expect(header.dataRegionByteCount == 4)
        }
    }

    @Test("an empty writer produces a valid file with no tensors")
    func emptyFile() throws {
        let header = try SafetensorsHeader(parsing: SafetensorsWriter().serializedBytes())
        #expect(header.tensors.isEmpty)
        #expect(header.metadata.isEmpty)
    }

    @Test("names and metadata with quotes, backslashes, control characters and non-ASCII survive")
    func escaping() throws {
        let name = "we\"ird\\name\n\u{1}é😀"
        var writer = SafetensorsWriter(metadata: ["k\"ey": "va\\lue\t"])
        try writer.add(name, shape: [1], floats: [2])
        let header = try SafetensorsHeader(parsing: writer.serializedBytes())
        #expect(header.tensors.map(\.name) == [name])
        #expect(header.metadata == ["k\"ey": "va\\lue\t"])
    }

    @Test("BF16 narrowing rounds to nearest even")
    func bfloat16Rounding() throws {
        var writer = SafetensorsWriter()
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: rounds to the even neighbour 1.
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: rounds to 1 + 2^-6.
        try writer.add("x", shape: [2], floats: [1 + 1.0 / 256, 1 + 3.0 / 256], storedAs: .bfloat16)
        let header = try SafetensorsHeader(parsing: writer.serializedBytes())
        #expect(header.tensors.first?.byteCount == 4)
        let directory = try TemporaryDirectory()
        let url = try directory.write(writer.serializedBytes(), named: "bf16.safetensors")
        #expect(try SafetensorsFile(contentsOf: url).tensor(named: "x").floats() == [1, 1 + 1.0 / 64])
    }

    @Test("inconsistent tensors are refused with the tensor name")
    func invalidTensors() throws {
        var writer = SafetensorsWriter()
        try writer.add("a", shape: [2], floats: [1, 2])
        #expect(Self.caseName(weightsError { try writer.add("a", shape: [1], floats: [1]) }) == "invalidTensorForWriting")
        #expect(weightsError { try writer.add("b", shape: [3], floats: [1, 2]) }?.tensorName == "b")
        #expect(weightsError { try writer.add("c", shape: [-1], floats: []) }?.tensorName == "c")
        #expect(weightsError { try writer.add("d", shape: [Int.max, 2], floats: []) }?.tensorName == "d")
        #expect(weightsError { try writer.add("e", shape: [1], floats: [1], storedAs: .int32) }?.tensorName == "e")
        #expect(weightsError { try writer.add("__metadata__", shape: [1], floats: [1]) } != nil)
        #expect(weightsError { try writer.add("", shape: [1], floats: [1]) } != nil)
        #expect(writer.tensorNames == ["a"])
    }

    @Test("writing into a missing directory reports the path")
    func unwritable() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("absent/file.safetensors")
        guard case .fileUnwritable(let path, _) = weightsError({ try SafetensorsWriter().write(to: url) }) else {
            Issue.record("expected fileUnwritable")
            return
        }
        #expect(path == url.path)
    }

    /// The repository's `.venv` interpreter (the fixture environment of `Tools/reference/`).
    static let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path

    /// True when that interpreter has torch and safetensors (the fixture environment,
    /// not CI's lighter one); the committed Python-written fixture covers the other direction.
    static let pythonHasTorch: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import safetensors.torch"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test("Python safetensors reads a file written here", .enabled(if: pythonHasTorch))
    func pythonReadsSwiftFile() throws {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add("a.weight", shape: [2, 2], floats: [1, 2, 3, 4.5], storedAs: .float16)
        try writer.add("b", shape: [3], floats: [-1, 0.5, 8], storedAs: .bfloat16)
        try writer.add("c", shape: [1], floats: [0.1])
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("from-swift.safetensors")
        try writer.write(to: url)
        let script = """
            import sys
            from safetensors.torch import load_file
            t = load_file(sys.argv[1])
            print(sorted(t), t["a.weight"].dtype, t["a.weight"].float().tolist(), t["b"].float().tolist(), t["c"].item())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", script, url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let expectedC = Double(Float(0.1))
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines)
            == "['a.weight', 'b', 'c'] torch.float16 [[1.0, 2.0], [3.0, 4.5]] [-1.0, 0.5, 8.0] \(expectedC)")
    }

    static func caseName(_ error: WeightsError?) -> String? {
        error.flatMap { Mirror(reflecting: $0).children.first?.label }
    }
}
