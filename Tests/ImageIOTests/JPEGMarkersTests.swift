import Testing
@testable import ImageIO

@Suite("JPEGMarkers")
struct JPEGMarkersTests {
    @Test("fill bytes and standalone markers are skipped; a stray byte is corrupt")
    func walk() throws {
        let sos: [UInt8] = [0xFF, 0xDA, 0x00, 0x02]
        let scan = try JPEGMarkers.scan([0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xE0, 0x00, 0x04, 1, 2, 0xFF, 0xD0] + sos)
        #expect(scan.orientation == .up)
        #expect(throws: ImageError.corrupt(format: "JPEG", reason: "expected a marker at byte 2, found 0x12")) {
            try JPEGMarkers.scan([0xFF, 0xD8, 0x12])
        }
        #expect(throws: ImageError.corrupt(format: "JPEG", reason: "marker 0xFFE0 has invalid length 1")) {
            try JPEGMarkers.scan([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01])
        }
        #expect(throws: ImageError.truncated(format: "JPEG")) {
            try JPEGMarkers.scan([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0, 0])
        }
    }

    @Test("the orientation comes from the first EXIF APP1 segment")
    func orientation() throws {
        let bytes = try fixtureBytes("jpeg/exif_orientation7.jpg")
        #expect(try JPEGMarkers.scan(bytes).orientation == .rightMirrored)
    }
}
