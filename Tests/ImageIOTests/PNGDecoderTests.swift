import Testing
@testable import ImageIO

@Suite("PNGDecoder")
struct PNGDecoderTests {
    @Test("the manifest lists every PNG fixture")
    func manifestIsComplete() {
        #expect(pngFixtures.count >= 30)
    }

    @Test("every colour type, bit depth, tRNS and interlace decodes exactly", arguments: pngFixtures)
    func decodesExactly(_ fixture: ImageFixture) throws {
        let image = try ImageDecoder.decode(try fixture.bytes())
        #expect(image.width == fixture.width)
        #expect(image.height == fixture.height)
        #expect(image.channels == fixture.channels)
        let expected = try fixture.expectedPixels()
        try #require(image.pixels.count == expected.count)
        if fixture.channels == 4 && fixture.name.contains("16") && fixture.name.hasSuffix("_interlaced") {
            // The 16-bit interlaced path un-premultiplies: ±1 where visible, alpha exact.
            for base in stride(from: 0, to: expected.count, by: 4) where expected[base + 3] > 0 {
                #expect(image.pixels[base + 3] == expected[base + 3])
                for channel in 0..<3 {
                    #expect(abs(Int(image.pixels[base + channel]) - Int(expected[base + channel])) <= 1)
                }
            }
            return
        }
        #expect(image.pixels == expected, "\(fixture.name): mean abs error \(meanAbsoluteError(image.pixels, expected))")
    }

    @Test("a gAMA chunk is ignored: gamma 1.0 gives the same samples as no gAMA")
    func gammaIgnored() throws {
        let plain = try ImageDecoder.decode(try fixtureBytes("png/rgb8.png"))
        let withGamma = try ImageDecoder.decode(try fixtureBytes("png/rgb8_gamma1.png"))
        #expect(plain == withGamma)
    }

    @Test("a bad CRC in IHDR is reported as corrupt, naming the chunk")
    func badCRC() throws {
        var bytes = try fixtureBytes("png/rgb8.png")
        bytes[29] ^= 0xFF  // last byte of the IHDR CRC
        guard case .corrupt(let format, let reason)? = decodeError(bytes) else {
            Issue.record("expected .corrupt")
            return
        }
        #expect(format == "PNG")
        #expect(reason.contains("CRC"), "\(reason)")
    }

    @Test("a bad CRC in IDAT is reported as corrupt")
    func badIDATCRC() throws {
        var bytes = try fixtureBytes("png/rgb8.png")
        // The IDAT chunk follows IHDR at byte 33; its CRC is the four bytes before IEND (12 bytes).
        bytes[bytes.count - 13] ^= 0x55
        guard case .corrupt? = decodeError(bytes) else {
            Issue.record("expected .corrupt, got \(String(describing: decodeError(bytes)))")
            return
        }
    }

    @Test("truncations in the signature, IHDR, IDAT header and IDAT data are reported as truncated",
          arguments: [9, 16, 20, 33, 37, 41, 50, 200, -24, -13])
    func truncated(_ cut: Int) throws {
        let bytes = try fixtureBytes("png/rgba16_interlaced.png")
        let end = cut > 0 ? cut : bytes.count + cut
        let error = decodeError(Array(bytes[..<end]))
        #expect(error == .truncated(format: "PNG"), "cut at \(end): \(String(describing: error))")
    }

    @Test("a file cut after complete image data (IEND missing or cut) still decodes, as in browsers",
          arguments: [-12, -1])
    func missingIEND(_ cut: Int) throws {
        let bytes = try fixtureBytes("png/rgba8.png")
        let full = try ImageDecoder.decode(bytes)
        #expect(try ImageDecoder.decode(Array(bytes[..<(bytes.count + cut)])) == full)
    }

    @Test("IHDR with a zero dimension is corrupt", arguments: [(UInt32(0), UInt32(10)), (10, 0)])
    func zeroDimension(_ size: (UInt32, UInt32)) {
        let error = decodeError(pngWithHeader(width: size.0, height: size.1))
        guard case .corrupt(_, let reason)? = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("zero"))
    }

    @Test("IHDR beyond 2³¹−1 is corrupt; a large valid size is too large")
    func hugeDimensions() {
        guard case .corrupt? = decodeError(pngWithHeader(width: 0xFFFF_FFFF, height: 1)) else {
            Issue.record("expected .corrupt")
            return
        }
        let error = decodeError(pngWithHeader(width: 100_000, height: 100_000))
        #expect(error == .tooLarge(width: 100_000, height: 100_000, limit: .default))
    }

    @Test("the 20000×20000 decompression bomb is refused from its header")
    func bomb() throws {
        let bytes = try fixtureBytes("bomb_20000x20000.png")
        #expect(bytes.count < 64_000)
        #expect(decodeError(bytes) == .tooLarge(width: 20_000, height: 20_000, limit: .default))
    }

    @Test("invalid bit depth / colour type combinations are corrupt")
    func invalidHeaderFields() {
        let error = decodeError(pngWithHeader(width: 4, height: 4, bitDepth: 3, colourType: 2))
        guard case .corrupt? = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
    }

    @Test("random bytes after the signature are corrupt")
    func garbageAfterSignature() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let tail = (0..<Int(generator.next() % 200 + 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let error = decodeError(ImageFormat.pngSignature + tail)
            switch error {
            case .corrupt?, .truncated?, .tooLarge?: continue
            default: Issue.record("unexpected \(String(describing: error))")
            }
        }
        let error = decodeError(ImageFormat.pngSignature + Array("this is not a PNG chunk list".utf8))
        guard case .corrupt? = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
    }

    @Test("a valid header with a missing IDAT is an error, not a crash")
    func missingIDAT() {
        let error = decodeError(pngWithHeader(width: 4, height: 4))
        #expect(error != nil)
    }
}

/// A small deterministic generator for test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
