import Testing
@testable import ImageIO

@Suite("ImageLimits")
struct ImageLimitsTests {
    @Test("pixel and dimension limits, overflow-safe")
    func admits() {
        let limits = ImageLimits(maxPixels: 100, maxDimension: 20, maxBytes: 1)
        #expect(limits.admits(width: 10, height: 10))
        #expect(!limits.admits(width: 11, height: 10))
        #expect(!limits.admits(width: 21, height: 1))
        #expect(ImageLimits(maxPixels: .max, maxDimension: .max, maxBytes: 1).admits(width: .max, height: .max) == false)
        #expect(throws: ImageError.tooLarge(width: 30, height: 1, limit: limits)) {
            try limits.check(width: 30, height: 1)
        }
    }
}
