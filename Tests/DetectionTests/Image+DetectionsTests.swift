import ImageIO
import Testing
@testable import Detection

/// The annotated image of `/v1/detect?format=png` and `diffusion-cli detect --out`.
@Suite struct ImageDetectionsTests {
    static let grey = RGBColor(red: 90, green: 90, blue: 90)

    static func color(_ image: Image, x: Int, y: Int) -> RGBColor {
        let index = (y * image.width + x) * image.channels
        return RGBColor(red: image.pixels[index], green: image.pixels[index + 1], blue: image.pixels[index + 2])
    }

    @Test func outlinesTheBoxInItsClassColourAndLabelsItAbove() {
        let image = Image(width: 120, height: 90, fill: Self.grey)
        let detection = Detection(classIndex: 1, label: "square", score: 0.87, x1: 30.2, y1: 40.4, x2: 80.6, y2: 70.3)
        let drawn = image.drawing([detection])
        let colour = Image.detectionPalette[1]
        #expect(drawn.width == 120 && drawn.height == 90 && drawn.channels == 3)
        // Corners rounded to pixels: (30, 40) … (81, 70); the border is 1 px on a 90 px short side.
        for (x, y) in [(30, 55), (81, 55), (55, 70), (60, 69 + 1)] { #expect(Self.color(drawn, x: x, y: y) == colour) }
        #expect(Self.color(drawn, x: 55, y: 55) == Self.grey)
        #expect(Self.color(drawn, x: 29, y: 55) == Self.grey && Self.color(drawn, x: 82, y: 55) == Self.grey)
        // The label "SQUARE 87%" sits on a black band just above the top edge, starting at x1.
        let band = BitmapFont.size(of: "square 87%")
        #expect(Self.color(drawn, x: 30, y: 40 - BitmapFont.lineHeight) == .black)
        let text = (31..<(30 + band.width)).flatMap { x in (31..<40).map { Self.color(drawn, x: x, y: $0) } }
        #expect(text.contains(colour))
        #expect(Self.color(drawn, x: 30 + band.width + 1, y: 35) == Self.grey)
    }

    @Test func noDetectionsLeavesThePixelsAndDropsAlpha() throws {
        let rgba = try #require(Image(width: 4, height: 3, channels: 4, pixels: [UInt8](repeating: 200, count: 48)))
        let drawn = rgba.drawing([])
        #expect(drawn.channels == 3 && drawn.pixels == [UInt8](repeating: 200, count: 36))
    }

    @Test func coloursCycleByClassAndTheBestScoreIsDrawnLast() {
        let image = Image(width: 60, height: 60, fill: Self.grey)
        let count = Image.detectionPalette.count
        // Same box, two classes that share a palette slot modulo the palette size, and one that does not.
        let low = Detection(classIndex: 2, label: "a", score: 0.3, x1: 10, y1: 20, x2: 50, y2: 50)
        let high = Detection(classIndex: 3 + count, label: "b", score: 0.9, x1: 10, y1: 20, x2: 50, y2: 50)
        let drawn = image.drawing([high, low])
        #expect(Self.color(drawn, x: 10, y: 35) == Image.detectionPalette[3])
        let reversed = image.drawing([low.with(score: 0.95), high])
        #expect(Self.color(reversed, x: 10, y: 35) == Image.detectionPalette[2])
    }

    @Test func nonFiniteAndHugeCoordinatesDoNotTrap() {
        #expect(Image.pixelIndex(.nan) == 0 && Image.pixelIndex(.infinity) == 0)
        #expect(Image.pixelIndex(3e12) == 1_000_000_000 && Image.pixelIndex(-2.6) == -3)
        let image = Image(width: 20, height: 20, fill: Self.grey)
        let wild = Detection(classIndex: 0, label: "x", score: 0.5, x1: -.infinity, y1: .nan, x2: 1e30, y2: 15)
        let drawn = image.drawing([wild])
        #expect(Self.color(drawn, x: 0, y: 14) == Image.detectionPalette[0])
    }
}

extension Detection {
    func with(score: Float) -> Detection {
        var copy = self
        copy.score = score
        return copy
    }
}
