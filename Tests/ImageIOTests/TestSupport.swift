import Foundation
import Testing
@testable import ImageIO

/// The committed fixture folder `Tests/Fixtures/images` (see Tools/reference/make_image_fixtures.py).
let imageFixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/images", isDirectory: true)

/// One entry of `manifest.json`.
struct ImageFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let file: String
    let width: Int
    let height: Int
    let channels: Int
    let expected: String
    let meanAbsoluteErrorTolerance: Double?

    var testDescription: String { name }

    func bytes() throws -> [UInt8] { try fixtureBytes(file) }
    func expectedPixels() throws -> [UInt8] { try fixtureBytes(expected) }
}

func fixtureBytes(_ relativePath: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: imageFixturesDirectory.appendingPathComponent(relativePath)))
}

let allImageFixtures: [ImageFixture] = {
    guard let data = try? Data(contentsOf: imageFixturesDirectory.appendingPathComponent("manifest.json")),
          let fixtures = try? JSONDecoder().decode([ImageFixture].self, from: data) else { return [] }
    return fixtures
}()

let pngFixtures = allImageFixtures.filter { $0.file.hasPrefix("png/") }
let jpegFixtures = allImageFixtures.filter { $0.file.hasPrefix("jpeg/") }

/// The error `body` throws, or `nil` if it returns.
func decodeError(_ bytes: [UInt8], limits: ImageLimits = .default) -> ImageError? {
    do {
        _ = try ImageDecoder.decode(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

func meanAbsoluteError(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count)
    var total = 0
    for index in a.indices { total += abs(Int(a[index]) - Int(b[index])) }
    return Double(total) / Double(max(a.count, 1))
}

/// Builds one PNG chunk: length, type, data, CRC-32.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

/// Plain CRC-32 (ISO-HDLC), as PNG uses — test-only, bit at a time.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

/// A PNG made of a signature, an IHDR with the given fields, and `rest` (other chunks).
func pngWithHeader(width: UInt32, height: UInt32, bitDepth: UInt8 = 8, colourType: UInt8 = 2,
                   rest: [UInt8] = pngChunk("IEND", [])) -> [UInt8] {
    let ihdr = bigEndian(width) + bigEndian(height) + [bitDepth, colourType, 0, 0, 0]
    return ImageFormat.pngSignature + pngChunk("IHDR", ihdr) + rest
}
