import Testing
@testable import ImageIO

@Suite("PNGChunks")
struct PNGChunksTests {
    @Test("colour-management chunks and trailing bytes are dropped, others kept in order")
    func sanitizes() throws {
        let idat = pngChunk("IDAT", [1, 2, 3])
        let rest = pngChunk("gAMA", bigEndian(100_000)) + pngChunk("tEXt", Array("a\u{0}b".utf8))
            + pngChunk("iCCP", [0, 0, 0]) + pngChunk("sRGB", [0]) + pngChunk("cHRM", [UInt8](repeating: 0, count: 32))
            + idat + pngChunk("IEND", []) + [9, 9, 9]
        let bytes = pngWithHeader(width: 3, height: 2, rest: rest)
        let scan = try PNGChunks.scan(bytes, limits: .default)
        #expect(scan.width == 3 && scan.height == 2)
        let expected = pngWithHeader(width: 3, height: 2, rest: pngChunk("tEXt", Array("a\u{0}b".utf8)) + idat + pngChunk("IEND", []))
        #expect(scan.sanitized == expected)
    }

    @Test("a chunk length beyond 2³¹−1 is corrupt")
    func hugeChunkLength() {
        let bytes = pngWithHeader(width: 3, height: 2, rest: [0xFF, 0xFF, 0xFF, 0xFF] + Array("IDAT".utf8) + [0, 0, 0, 0])
        #expect(throws: ImageError.corrupt(format: "PNG", reason: "chunk at byte 33 declares length 4294967295, beyond 2³¹−1")) {
            try PNGChunks.scan(bytes, limits: .default)
        }
    }

    @Test("non-letter chunk types are printed safely")
    func chunkType() {
        #expect(PNGChunks.chunkType([0x00, 0x41, 0xFF, 0x62], at: 0) == "?A?b")
    }
}
