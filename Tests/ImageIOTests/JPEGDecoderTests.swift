import Testing
@testable import ImageIO

@Suite("JPEGDecoder")
struct JPEGDecoderTests {
    @Test("the manifest lists every JPEG fixture")
    func manifestIsComplete() {
        #expect(jpegFixtures.count == 13)
    }

    @Test("baseline, progressive, greyscale, CMYK and EXIF orientations match Pillow", arguments: jpegFixtures)
    func matchesPillow(_ fixture: ImageFixture) throws {
        let image = try ImageDecoder.decode(try fixture.bytes())
        #expect(image.width == fixture.width)
        #expect(image.height == fixture.height)
        #expect(image.channels == 3)
        let expected = try fixture.expectedPixels()
        try #require(image.pixels.count == expected.count)
        let error = meanAbsoluteError(image.pixels, expected)
        #expect(error <= (fixture.meanAbsoluteErrorTolerance ?? 0), "\(fixture.name): mean abs error \(error)")
    }

    @Test("every orientation yields the upright picture: red block top-left, blue bottom-right")
    func orientationIsUpright() throws {
        for orientation in 1...8 {
            let image = try ImageDecoder.decode(try fixtureBytes("jpeg/exif_orientation\(orientation).jpg"))
            #expect(image.width == 40 && image.height == 24, "orientation \(orientation)")
            let topLeft = try #require(image.pixel(x: 3, y: 3))
            let bottomRight = try #require(image.pixel(x: 36, y: 20))
            #expect(topLeft[0] > 200 && topLeft[2] < 60, "orientation \(orientation): \(topLeft)")
            #expect(bottomRight[2] > 200 && bottomRight[0] < 60, "orientation \(orientation): \(bottomRight)")
        }
    }

    @Test("truncated JPEGs are reported as truncated", arguments: [3, 4, 10, 30, 200, 400, -200, -2])
    func truncated(_ cut: Int) throws {
        let bytes = try fixtureBytes("jpeg/progressive.jpg")
        let end = cut > 0 ? cut : bytes.count + cut
        let error = decodeError(Array(bytes[..<end]))
        #expect(error == .truncated(format: "JPEG"), "cut at \(end) of \(bytes.count): \(String(describing: error))")
    }

    @Test("a truncated baseline JPEG is reported as truncated")
    func truncatedBaseline() throws {
        let bytes = try fixtureBytes("jpeg/baseline420.jpg")
        #expect(decodeError(Array(bytes[..<(bytes.count / 2)])) == .truncated(format: "JPEG"))
    }

    @Test("random bytes after SOI are corrupt or truncated, never accepted")
    func garbageAfterSOI() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<50 {
            let tail = (0..<Int(generator.next() % 300 + 10)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let error = decodeError([0xFF, 0xD8, 0xFF] + tail)
            switch error {
            case .corrupt?, .truncated?, .tooLarge?: continue
            default: Issue.record("unexpected \(String(describing: error))")
            }
        }
        guard case .corrupt? = decodeError([0xFF, 0xD8, 0xFF, 0xD9]) else {
            Issue.record("EOI right after SOI should be corrupt")
            return
        }
    }

    @Test("corrupted entropy data or tables are errors or tolerated, never a crash")
    func corruptedBody() throws {
        let original = try fixtureBytes("jpeg/baseline420.jpg")
        var generator = SplitMix64(seed: 3)
        for _ in 0..<100 {
            var bytes = original
            for _ in 0..<4 {
                let index = Int(generator.next() % UInt64(bytes.count - 2)) + 2
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            if let image = try? ImageDecoder.decode(bytes) {
                #expect(image.pixels.count == image.width * image.height * 3)
            }
        }
    }

    @Test("SOF dimensions over the limit are refused before decoding")
    func limits() throws {
        let bytes = try fixtureBytes("jpeg/baseline420.jpg")
        let small = ImageLimits(maxPixels: 100, maxDimension: 1000, maxBytes: 1 << 20)
        #expect(decodeError(bytes, limits: small) == .tooLarge(width: 40, height: 24, limit: small))
    }

    @Test("CMYK conversion treats samples as Adobe-inverted")
    func cmykConversion() {
        #expect(JPEGDecoder.convertInvertedCMYK([255, 255, 255, 255, 0, 128, 255, 128]) == [255, 255, 255, 0, 64, 128])
    }
}
