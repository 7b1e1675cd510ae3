import Testing
@testable import ImageIO

@Suite("JPEGEncoder")
struct JPEGEncoderTests {
    @Test("round-trip stays close; higher quality is closer and larger", arguments: [JPEGEncoder.Subsampling.s420, .s444])
    func roundTrip(_ subsampling: JPEGEncoder.Subsampling) throws {
        let image = try ImageDecoder.decode(try fixtureBytes("jpeg/baseline444.jpg"))
        let high = try JPEGEncoder(quality: 95, subsampling: subsampling).encode(image)
        let low = try JPEGEncoder(quality: 20, subsampling: subsampling).encode(image)
        #expect(Array(high.prefix(3)) == [0xFF, 0xD8, 0xFF])
        #expect(low.count < high.count)
        let highDecoded = try ImageDecoder.decode(high)
        let lowDecoded = try ImageDecoder.decode(low)
        #expect(highDecoded.width == image.width && highDecoded.height == image.height)
        let highError = meanAbsoluteError(highDecoded.pixels, image.pixels)
        #expect(highError < 3, "\(highError)")
        #expect(meanAbsoluteError(lowDecoded.pixels, image.pixels) > highError)
    }

    @Test("alpha is dropped and quality is clamped")
    func alphaAndClamp() throws {
        let image = Image(width: 16, height: 8, fill: RGBColor(red: 200, green: 100, blue: 50), alpha: 0)
        #expect(JPEGEncoder(quality: 500).quality == 100)
        #expect(JPEGEncoder(quality: -3).quality == 1)
        let decoded = try ImageDecoder.decode(try JPEGEncoder(quality: 500).encode(image))
        #expect(decoded.channels == 3)
        #expect(meanAbsoluteError(decoded.pixels, image.droppingAlpha().pixels) < 2)
    }
}
