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
}
