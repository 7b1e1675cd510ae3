import Foundation
import Testing
@testable import Weights

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("WeightsTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `bytes` to a file named `name` and returns its URL.
    func write(_ bytes: [UInt8], named name: String) throws -> URL {
        let fileURL = url.appendingPathComponent(name)
        try Data(bytes).write(to: fileURL)
        return fileURL
    }
}

/// The committed fixture folder `Tests/Fixtures/weights`.
let weightsFixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/weights", isDirectory: true)

/// A safetensors file: 8-byte little-endian header length, the header text, then `data`.
func safetensorsBytes(header: String, data: [UInt8] = []) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    var bytes: [UInt8] = []
    FloatConversion.appendLittleEndian(UInt64(headerBytes.count), to: &bytes)
    return bytes + headerBytes + data
}

/// Runs `body` and returns the `WeightsError` it throws, or nil when it succeeds.
func weightsError(_ body: () throws -> Void) -> WeightsError? {
    do {
        try body()
        return nil
    } catch let error as WeightsError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}
