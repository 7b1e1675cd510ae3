import Testing
@testable import ImageIO

@Suite("Image+FloatPlanes")
struct ImageFloatPlanesTests {
    @Test("planes are CHW, normalised, and round-trip exactly", arguments: [SampleRange.unit, .symmetric])
    func roundTrip(_ range: SampleRange) throws {
        let image = try ImageDecoder.decode(try fixtureBytes("png/rgba8.png"))
        let planes = image.floatPlanes(range: range)
        #expect(planes.count == 3 * image.width * image.height)
        let first = try #require(image.pixel(x: 1, y: 0))
        let area = image.width * image.height
        let expectedGreen = range == .unit ? Float(first[1]) / 255 : Float(first[1]) / 255 * 2 - 1
        #expect(abs(planes[area + 1] - expectedGreen) < 1e-6)
        let back = try #require(Image(floatPlanes: planes, width: image.width, height: image.height, range: range))
        #expect(back == image.droppingAlpha())
    }

    @Test("out-of-range and NaN samples are clamped; wrong counts are refused")
    func clamping() throws {
        let image = try #require(Image(floatPlanes: [-5, 5, .nan], width: 1, height: 1, range: .symmetric))
        #expect(image.pixels == [0, 255, 0])
        #expect(Image(floatPlanes: [0, 0], width: 1, height: 1) == nil)
        #expect(Image(floatPlanes: [], width: .max, height: 2) == nil)
    }
}
