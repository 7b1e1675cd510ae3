import Testing
@testable import ImageIO

@Suite("ImageFormat")
struct ImageFormatTests {
    @Test("signatures are recognised")
    func sniffing() {
        #expect(ImageFormat(sniffing: ImageFormat.pngSignature) == .png)
        #expect(ImageFormat(sniffing: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat(sniffing: Array("GIF87a".utf8)) == .unsupported("GIF"))
        #expect(ImageFormat(sniffing: [0, 0, 0, 0x1C] + Array("ftypavif".utf8)) == .unsupported("HEIF/AVIF"))
        #expect(ImageFormat(sniffing: Array("BM".utf8)) == .unknown)  // too short to be a BMP
        #expect(ImageFormat(sniffing: []) == .unknown)
    }

    @Test("a proper prefix of a supported signature counts as truncated")
    func truncatedSignature() {
        #expect(ImageFormat.isTruncatedSignature([0x89, 0x50, 0x4E]) == "PNG")
        #expect(ImageFormat.isTruncatedSignature([0xFF]) == "JPEG")
        #expect(ImageFormat.isTruncatedSignature([0x89, 0x51]) == nil)
        #expect(ImageFormat.isTruncatedSignature([]) == nil)
    }
}
