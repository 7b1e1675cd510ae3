import Foundation
import Testing
@testable import Weights

@Suite("MemoryMappedFile")
struct MemoryMappedFileTests {

    @Test("maps a file's bytes read-only")
    func mapsBytes() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write([1, 2, 3, 4, 5], named: "bytes.bin")
        let mapping = try MemoryMappedFile(path: url.path)
        #expect(mapping.byteCount == 5)
        #expect(Array(mapping.bytes) == [1, 2, 3, 4, 5])
        #expect(Int(bitPattern: mapping.bytes.baseAddress) % 4096 == 0)
    }

    @Test("an empty file maps to an empty buffer")
    func emptyFile() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write([], named: "empty.bin")
        let mapping = try MemoryMappedFile(path: url.path)
        #expect(mapping.bytes.isEmpty)
    }

    @Test("missing files and directories are unreadable")
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.url.appendingPathComponent("missing").path
        #expect(weightsError { _ = try MemoryMappedFile(path: missing) }
            == .fileUnreadable(path: missing, reason: "No such file or directory"))
        #expect(weightsError { _ = try MemoryMappedFile(path: directory.url.path) }
            == .fileUnreadable(path: directory.url.path, reason: "not a regular file"))
    }
}
