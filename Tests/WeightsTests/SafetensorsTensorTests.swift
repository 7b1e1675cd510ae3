import Foundation
import Testing
@testable import Weights

@Suite("SafetensorsTensor")
struct SafetensorsTensorTests {

    /// A file whose header length is not a multiple of 4, so F32 data starts unaligned.
    static func unalignedFile(in directory: TemporaryDirectory) throws -> SafetensorsFile {
        let values: [Float] = [1.5, -2, 3.25]
        var data: [UInt8] = []
        for value in values { FloatConversion.appendLittleEndian(value.bitPattern, to: &data) }
        let header = "{\"u\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}"
        #expect((8 + header.utf8.count) % 4 != 0)
        let url = try directory.write(safetensorsBytes(header: header, data: data), named: "unaligned.safetensors")
        return try SafetensorsFile(contentsOf: url)
    }

    @Test("F32 at an unaligned offset reads correctly")
    func unalignedFloats() throws {
        let directory = try TemporaryDirectory()
        let tensor = try Self.unalignedFile(in: directory).tensor(named: "u")
        #expect(try tensor.floats() == [1.5, -2, 3.25])
        var destination = [Float](repeating: 0, count: 3)
        try destination.withUnsafeMutableBufferPointer { try tensor.copyFloats(into: $0) }
        #expect(destination == [1.5, -2, 3.25])
        #expect(tensor.withUnsafeBytes { $0.count } == 12)
    }

    @Test("copying into a destination of the wrong size names the tensor")
    func destinationSize() throws {
        let directory = try TemporaryDirectory()
        let tensor = try Self.unalignedFile(in: directory).tensor(named: "u")
        var destination = [Float](repeating: 0, count: 2)
        let error = weightsError { try destination.withUnsafeMutableBufferPointer { try tensor.copyFloats(into: $0) } }
        #expect(error == .destinationSizeMismatch(tensor: "u", expected: 3, found: 2))
    }

    @Test("integer dtypes are readable but refuse widening to Float", arguments: [
        SafetensorsDataType.int64, .int32, .int16, .int8, .uint8, .uint16, .uint32, .bool,
    ])
    func integerTypes(_ dataType: SafetensorsDataType) throws {
        var bytes: [UInt8] = []
        for value in [1, 0, 1] as [UInt64] {
            var element = value.littleEndian
            bytes += withUnsafeBytes(of: &element) { Array($0.prefix(dataType.byteSize)) }
        }
        var writer = SafetensorsWriter()
        try writer.add("mask", dataType: dataType, shape: [3], bytes: bytes)
        let directory = try TemporaryDirectory()
        let url = try directory.write(writer.serializedBytes(), named: "ints.safetensors")
        let tensor = try SafetensorsFile(contentsOf: url).tensor(named: "mask")
        #expect(try tensor.integers() == [1, 0, 1])
        #expect(weightsError { _ = try tensor.floats() }
            == .unsupportedDataType(tensor: "mask", dataType: dataType, operation: "conversion to Float"))
    }

    @Test("F64, U64 and F8 parse but convert to neither Float nor Int", arguments: [
        SafetensorsDataType.float64, .uint64, .float8E4M3, .float8E5M2,
    ])
    func unconvertibleTypes(_ dataType: SafetensorsDataType) throws {
        var writer = SafetensorsWriter()
        try writer.add("t", dataType: dataType, shape: [2], bytes: [UInt8](repeating: 0, count: 2 * dataType.byteSize))
        let directory = try TemporaryDirectory()
        let url = try directory.write(writer.serializedBytes(), named: "other.safetensors")
        let tensor = try SafetensorsFile(contentsOf: url).tensor(named: "t")
        #expect(tensor.dataType == dataType)
        #expect(weightsError { _ = try tensor.floats() }?.tensorName == "t")
        #expect(weightsError { _ = try tensor.integers() }?.tensorName == "t")
    }

    @Test("a view keeps the mapping alive after the file object is released")
    func viewOutlivesFile() throws {
        let directory = try TemporaryDirectory()
        var writer = SafetensorsWriter()
        try writer.add("w", shape: [2], floats: [7, 8])
        let url = try directory.write(writer.serializedBytes(), named: "w.safetensors")
        let tensor = try SafetensorsFile(contentsOf: url).tensor(named: "w")
        #expect(try tensor.floats() == [7, 8])
    }

    @Test("asking for an absent tensor names it")
    func absentTensor() throws {
        let directory = try TemporaryDirectory()
        let file = try Self.unalignedFile(in: directory)
        #expect(weightsError { _ = try file.tensor(named: "nope") } == .tensorNotFound(name: "nope"))
        #expect(!file.contains("nope"))
        #expect(file.contains("u"))
    }
}
