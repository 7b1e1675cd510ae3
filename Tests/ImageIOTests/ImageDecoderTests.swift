import Foundation
import Testing
@testable import ImageIO

@Suite("ImageDecoder")
struct ImageDecoderTests {
    /// A malformed input and the error it must produce.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let expected: ImageError
        var testDescription: String { name }
    }

    static let malformed: [Case] = [
        Case(name: "empty", bytes: [], expected: .corrupt(format: "image", reason: "no image data (0 bytes)")),
        Case(name: "one byte 0x00", bytes: [0x00], expected: .unsupportedFormat(detected: nil)),
        Case(name: "one byte 0x89 (PNG prefix)", bytes: [0x89], expected: .truncated(format: "PNG")),
        Case(name: "two bytes FF D8 (JPEG prefix)", bytes: [0xFF, 0xD8], expected: .truncated(format: "JPEG")),
        Case(name: "PNG signature only", bytes: ImageFormat.pngSignature, expected: .truncated(format: "PNG")),
        Case(name: "GIF", bytes: Array("GIF89a\u{01}\u{00}\u{01}\u{00}".utf8), expected: .unsupportedFormat(detected: "GIF")),
        Case(name: "BMP", bytes: Array("BM".utf8) + [UInt8](repeating: 0, count: 60), expected: .unsupportedFormat(detected: "BMP")),
        Case(name: "WebP", bytes: Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WEBPVP8 ".utf8) + [UInt8](repeating: 0, count: 20),
             expected: .unsupportedFormat(detected: "WebP")),
        Case(name: "TIFF", bytes: [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], expected: .unsupportedFormat(detected: "TIFF")),
        Case(name: "text", bytes: Array("{\"image\": \"not really\"}".utf8), expected: .unsupportedFormat(detected: nil)),
        Case(name: "PNG, 100000×100000 header", bytes: pngWithHeader(width: 100_000, height: 100_000),
             expected: .tooLarge(width: 100_000, height: 100_000, limit: .default)),
        Case(name: "PNG, IHDR is not first", bytes: ImageFormat.pngSignature + pngChunk("IDAT", [1, 2, 3]),
             expected: .corrupt(format: "PNG", reason: "the first chunk is 'IDAT', expected 'IHDR'")),
        Case(name: "PNG, IHDR of length 12", bytes: ImageFormat.pngSignature + pngChunk("IHDR", [UInt8](repeating: 1, count: 12)),
             expected: .corrupt(format: "PNG", reason: "IHDR chunk has length 12, expected 13")),
    ]

    @Test("malformed inputs give the specific error", arguments: malformed)
    func malformedInputs(_ test: Case) {
        #expect(decodeError(test.bytes) == test.expected)
    }

    @Test("inputs over maxBytes are refused before sniffing")
    func maxBytes() throws {
        let bytes = try fixtureBytes("png/rgb8.png")
        let limits = ImageLimits(maxPixels: 1 << 20, maxDimension: 1 << 10, maxBytes: 64)
        #expect(decodeError(bytes, limits: limits) == .inputTooLarge(byteCount: bytes.count, limit: limits))
        #expect(throws: ImageError.inputTooLarge(byteCount: bytes.count, limit: limits)) {
            try ImageDecoder.decode(Data(bytes), limits: limits)
        }
    }

    @Test("the Data overload decodes like the byte-array one")
    func dataOverload() throws {
        let bytes = try fixtureBytes("jpeg/baseline420.jpg")
        #expect(try ImageDecoder.decode(Data(bytes)) == ImageDecoder.decode(bytes))
    }

    @Test("the format comes from the bytes, whatever the caller believes")
    func formatFromBytes() throws {
        let jpeg = try ImageDecoder.decode(try fixtureBytes("jpeg/baseline444.jpg"))
        let png = try ImageDecoder.decode(try fixtureBytes("png/rgba8.png"))
        #expect(jpeg.channels == 3)
        #expect(png.channels == 4)
    }

    @Test("concurrent decodes of PNG and JPEG agree with serial ones")
    func concurrentDecoding() async throws {
        let files = ["png/rgb16_interlaced.png", "png/palette8_trns.png", "jpeg/progressive.jpg", "jpeg/cmyk.jpg",
                     "jpeg/exif_orientation6.jpg", "png/greyalpha16.png"]
        let inputs = try files.map { try fixtureBytes($0) }
        let serial = try inputs.map { try ImageDecoder.decode($0) }
        try await withThrowingTaskGroup(of: (Int, Image).self) { group in
            for round in 0..<8 {
                for (index, input) in inputs.enumerated() {
                    group.addTask { (index, try ImageDecoder.decode(input)) }
                    if round % 2 == 0 {
                        group.addTask {
                            _ = try? ImageDecoder.decode(Array(input.prefix(input.count / 2)))
                            return (index, serial[index])
                        }
                    }
                }
            }
            for try await (index, image) in group {
                #expect(image == serial[index])
            }
        }
    }
}
