import Testing
@testable import ImageIO

@Suite("PNGEncoder")
struct PNGEncoderTests {
    @Test("RGB and RGBA round-trip exactly", arguments: ["png/rgb16.png", "png/rgba8_interlaced.png", "png/palette8_trns.png"])
    func roundTrip(_ file: String) throws {
        let image = try ImageDecoder.decode(try fixtureBytes(file))
        let encoded = try PNGEncoder.encode(image)
        #expect(Array(encoded.prefix(8)) == ImageFormat.pngSignature)
        #expect(try ImageDecoder.decode(encoded) == image)
    }

    @Test("a large generated image round-trips")
    func generated() throws {
        var image = Image(width: 257, height: 129, fill: RGBColor(red: 1, green: 2, blue: 3))
        image.drawRectangle(x1: 10, y1: 10, x2: 200, y2: 100, color: .red, thickness: 3)
        image.drawText("PERSON 0.93", x: 12, y: 14, color: .white, scale: 2)
        #expect(try ImageDecoder.decode(try PNGEncoder.encode(image)) == image)
    }
}
