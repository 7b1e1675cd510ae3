import Testing
@testable import ImageIO

@Suite("ImageError")
struct ImageErrorTests {
    @Test("messages name what is wrong")
    func messages() {
        let limits = ImageLimits(maxPixels: 1000, maxDimension: 100, maxBytes: 10)
        #expect(ImageError.tooLarge(width: 200, height: 2, limit: limits).message
            == "image is 200×2 pixels; the limit is 100 pixels a side")
        #expect(ImageError.tooLarge(width: 50, height: 50, limit: limits).message
            == "image is 50×50 pixels; the limit is 1000 pixels in total")
        #expect(ImageError.unsupportedFormat(detected: "GIF").message.contains("GIF"))
        #expect(ImageError.unsupportedFormat(detected: nil).message.contains("PNG and JPEG"))
        #expect(ImageError.truncated(format: "PNG").description.contains("truncated"))
        #expect(ImageError.corrupt(format: "JPEG", reason: "bad Huffman table").message
            == "JPEG data is corrupt: bad Huffman table")
        #expect(ImageError.inputTooLarge(byteCount: 11, limit: limits).message.contains("11 bytes"))
    }

    @Test("HTTP statuses")
    func statuses() {
        let limits = ImageLimits.default
        #expect(ImageError.unsupportedFormat(detected: nil).httpStatus == 415)
        #expect(ImageError.tooLarge(width: 1, height: 1, limit: limits).httpStatus == 413)
        #expect(ImageError.inputTooLarge(byteCount: 1, limit: limits).httpStatus == 413)
        #expect(ImageError.truncated(format: "PNG").httpStatus == 422)
        #expect(ImageError.corrupt(format: "PNG", reason: "x").httpStatus == 422)
        #expect(ImageError.encodingFailed(format: "PNG", reason: "x").httpStatus == 500)
    }
}
