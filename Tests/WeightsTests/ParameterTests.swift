import Foundation
import Testing
@testable import Weights

@Suite("Parameter")
struct ParameterTests {

    @Test("a placeholder has zeros of the requested shape and no stored dtype")
    func placeholder() throws {
        let parameter = Parameter(key: "a.b", shape: [2, 0, 3], storage: .placeholder)
        #expect(parameter.elementCount == 0)
        #expect(parameter.floats() == [])
        let other = Parameter(key: "c", shape: [3], storage: .placeholder)
        #expect(other.floats() == [0, 0, 0])
        #expect(other.isPlaceholder)
        #expect(other.storedDataType == nil)
    }

    @Test("widened storage is read in place")
    func widened() throws {
        let parameter = Parameter(key: "w", shape: [2], storage: .widened([1.5, 2.5], storedAs: .bfloat16))
        #expect(parameter.floats() == [1.5, 2.5])
        #expect(parameter.withUnsafeFloats { $0.count } == 2)
        #expect(!parameter.isPlaceholder)
        #expect(parameter.storedDataType == .bfloat16)
    }

    @Test("copying into the wrong size names the key")
    func copySize() throws {
        let parameter = Parameter(key: "w", shape: [2], storage: .widened([1.5, 2.5], storedAs: .bfloat16))
        var destination = [Float](repeating: 0, count: 3)
        let error = weightsError { try destination.withUnsafeMutableBufferPointer { try parameter.copyFloats(into: $0) } }
        #expect(error == .destinationSizeMismatch(tensor: "w", expected: 2, found: 3))
    }

    @Test("unaligned mapped F32 data is copied, not misread")
    func unalignedMapped() throws {
        let directory = try TemporaryDirectory()
        let file = try SafetensorsTensorTests.unalignedFile(in: directory)
        let store = try ParameterStore(files: [file])
        let parameter = try store.root.parameter("u", shape: [3])
        #expect(parameter.floats() == [1.5, -2, 3.25])
        #expect(parameter.storedDataType == .float32)
    }

    @Test("releasing mapped pages drops them from RSS and keeps the values readable")
    func releaseMappedPages() throws {
        let directory = try TemporaryDirectory()
        let values = (0..<65_536).map { Float($0 % 1000) * 0.25 - 7 }  // 256 KiB: 64 pages of 4 KiB
        var writer = SafetensorsWriter()
        try writer.add("big", shape: [values.count], floats: values)
        let url = directory.url.appendingPathComponent("big.safetensors")
        try writer.write(to: url)
        let store = try ParameterStore(contentsOf: [url])
        let parameter = try store.root.parameter("big", shape: [values.count])
        #expect(parameter.floats() == values)
        #if os(Linux)
        let residentBefore = try #require(try Self.residentKilobytes(ofMappingOf: url.path))
        #expect(residentBefore >= 256)
        #endif
        parameter.releaseMappedPages()
        #if os(Linux)
        // At most the partial pages at either end (and the header's page) stay resident.
        let residentAfter = try #require(try Self.residentKilobytes(ofMappingOf: url.path))
        #expect(residentAfter <= 12)
        #endif
        #expect(parameter.floats() == values)
    }

    /// The `Rss:` of this process's mapping of `path` in /proc/self/smaps, in KiB.
    static func residentKilobytes(ofMappingOf path: String) throws -> Int? {
        // Read to the end: /proc files report size 0.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/smaps")?.readDataToEndOfFile() else { return nil }
        let smaps = String(decoding: data, as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let range = fields.first, range.contains("-"), range.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                inMapping = line.hasSuffix(path)
            } else if inMapping, line.hasPrefix("Rss:") {
                return fields.dropFirst().first.flatMap { Int($0) }
            }
        }
        return nil
    }
}
