import Testing
@testable import ImageIO

@Suite("Image+Drawing")
struct ImageDrawingTests {
    /// Positions of pixels whose red sample is 255 (the drawing colour used below).
    static func marked(_ image: Image) -> Set<[Int]> {
        var set = Set<[Int]>()
        for y in 0..<image.height { for x in 0..<image.width where image.pixel(x: x, y: y)?[0] == 255 { set.insert([x, y]) } }
        return set
    }

    @Test("a one-pixel rectangle outline with corners in either order")
    func outline() {
        var image = Image(width: 6, height: 5)
        image.drawRectangle(x1: 4, y1: 3, x2: 1, y2: 1, color: .red)
        var expected = Set<[Int]>()
        for x in 1...4 { expected.insert([x, 1]); expected.insert([x, 3]) }
        for y in 1...3 { expected.insert([1, y]); expected.insert([4, y]) }
        #expect(Self.marked(image) == expected)
    }

    @Test("thickness grows inwards and saturates into a filled box")
    func thickness() {
        var image = Image(width: 8, height: 8)
        image.drawRectangle(x1: 0, y1: 0, x2: 7, y2: 7, color: .red, thickness: 2)
        #expect(Self.marked(image).count == 64 - 16)
        image.drawRectangle(x1: 0, y1: 0, x2: 7, y2: 7, color: .red, thickness: 100)
        #expect(Self.marked(image).count == 64)
    }

    @Test("boxes are clipped; extreme coordinates are safe")
    func clipping() {
        var image = Image(width: 5, height: 5, alpha: 0)
        image.drawRectangle(x1: -3, y1: -3, x2: 2, y2: 2, color: .red)
        #expect(Self.marked(image) == [[2, 0], [2, 1], [2, 2], [0, 2], [1, 2]])
        #expect(image.pixel(x: 2, y: 2)?[3] == 255)
        image.drawRectangle(x1: .min, y1: .min, x2: .max, y2: .max, color: .green, thickness: .max)
        image.drawRectangle(x1: 10, y1: 10, x2: 20, y2: 20, color: .green)
        image.drawText("HELLO", x: .max, y: .min, color: .green, scale: .max)
        image.drawRectangle(x1: 1, y1: 1, x2: 3, y2: 3, color: .red, thickness: 0)
        #expect(image.pixels.count == 100)
    }

    @Test("text draws glyph pixels at the pen position")
    func text() {
        var image = Image(width: 20, height: 9)
        image.drawText("I-", x: 1, y: 1, color: .red)
        var expected = Set<[Int]>()
        for (row, bits) in BitmapFont.glyph(for: "I").enumerated() {
            for column in 0..<5 where bits & (0x10 >> UInt8(column)) != 0 { expected.insert([1 + column, 1 + row]) }
        }
        for column in 0..<5 { expected.insert([7 + column, 4]) }
        #expect(Self.marked(image) == expected)
    }

    @Test("scaled text covers scale² pixels per font pixel; lowercase matches uppercase")
    func scaledText() {
        var upper = Image(width: 40, height: 20)
        var lower = Image(width: 40, height: 20)
        upper.drawText("AB", x: 0, y: 0, color: .red, scale: 2)
        lower.drawText("ab", x: 0, y: 0, color: .red, scale: 2)
        #expect(upper == lower)
        let fontPixels = (BitmapFont.glyph(for: "A") + BitmapFont.glyph(for: "B")).map(\.nonzeroBitCount).reduce(0, +)
        #expect(Self.marked(upper).count == fontPixels * 4)
    }
}
