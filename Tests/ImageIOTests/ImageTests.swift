import Testing
@testable import ImageIO

@Suite("Image")
struct ImageTests {
    @Test("the failable initialiser checks sizes")
    func validation() {
        #expect(Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 12)) != nil)
        #expect(Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 11)) == nil)
        #expect(Image(width: 2, height: 2, channels: 2, pixels: [UInt8](repeating: 0, count: 8)) == nil)
        #expect(Image(width: 0, height: 2, channels: 3, pixels: []) == nil)
        #expect(Image(width: .max, height: 2, channels: 4, pixels: []) == nil)
    }

    @Test("fill, pixel access and dropping alpha")
    func fillAndAccess() throws {
        let image = Image(width: 3, height: 2, fill: RGBColor(red: 1, green: 2, blue: 3), alpha: 9)
        #expect(image.hasAlpha && image.rowBytes == 12)
        #expect(image.pixel(x: 2, y: 1) == [1, 2, 3, 9])
        #expect(image.pixel(x: 3, y: 0) == nil)
        let rgb = image.droppingAlpha()
        #expect(rgb.channels == 3 && rgb.pixels == [UInt8](repeating: 0, count: 6).enumerated().flatMap { _ in [1, 2, 3] })
    }
}
