import Testing
@testable import ImageIO

@Suite("ExifOrientation")
struct ExifOrientationTests {
    /// `Exif\0\0` + a TIFF header + IFD0 with the given entries (tag, type, count, value).
    static func payload(bigEndian: Bool, entries: [(UInt16, UInt16, UInt32, UInt16)], ifdOffset: UInt32 = 8) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] { bigEndian ? u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) : u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) }
        var tiff: [UInt8] = (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + u32(ifdOffset)
        tiff += u16(UInt16(entries.count))
        for (tag, type, count, value) in entries {
            tiff += u16(tag) + u16(type) + u32(count) + u16(value) + [0, 0]
        }
        tiff += u32(0)
        return Array("Exif".utf8) + [0, 0] + tiff
    }

    @Test("both byte orders, tag after other tags", arguments: [false, true])
    func parses(_ bigEndian: Bool) {
        for value in UInt16(1)...8 {
            let bytes = Self.payload(bigEndian: bigEndian, entries: [(0x010F, 2, 4, 0), (0x0112, 3, 1, value)])
            #expect(ExifOrientation(app1Payload: bytes[...])?.rawValue == Int(value))
        }
    }

    @Test("malformed EXIF yields nil, never a crash")
    func malformed() {
        #expect(ExifOrientation(app1Payload: Array("Exif".utf8)[...]) == nil)
        #expect(ExifOrientation(app1Payload: Array("http://ns.adobe.com/xap/1.0/\u{0}".utf8)[...]) == nil)
        #expect(ExifOrientation(app1Payload: Self.payload(bigEndian: false, entries: [(0x0112, 3, 1, 9)])[...]) == nil)
        #expect(ExifOrientation(app1Payload: Self.payload(bigEndian: false, entries: [(0x0112, 4, 1, 6)])[...]) == nil)
        #expect(ExifOrientation(app1Payload: Self.payload(bigEndian: true, entries: [(0x0112, 3, 1, 6)], ifdOffset: 0xFFFF_FFF0)[...]) == nil)
        var truncatedEntries = Self.payload(bigEndian: false, entries: [(0x0112, 3, 1, 6)])
        truncatedEntries.removeLast(8)
        #expect(ExifOrientation(app1Payload: truncatedEntries[...]) == nil)
        // Every prefix of a valid payload is handled.
        let valid = Self.payload(bigEndian: true, entries: [(0x0100, 4, 1, 5), (0x0112, 3, 1, 6)])
        for end in 0..<valid.count {
            _ = ExifOrientation(app1Payload: valid[..<end])
        }
        #expect(ExifOrientation(app1Payload: valid[...]) == .right)
    }

    /// 3×2 image whose pixel (x, y) has red = 10·x + y + 1.
    static let sample: Image = {
        var pixels: [UInt8] = []
        for y in 0..<2 { for x in 0..<3 { pixels += [UInt8(10 * x + y + 1), 0, 0] } }
        return Image(validatedWidth: 3, height: 2, channels: 3, pixels: pixels)
    }()

    static func reds(_ image: Image) -> [[UInt8]] {
        (0..<image.height).map { y in (0..<image.width).map { x in image.pixels[(y * image.width + x) * 3] } }
    }

    @Test("each orientation turns the stored pixels upright")
    func transforms() {
        // Stored: [[1, 11, 21], [2, 12, 22]].
        let expected: [ExifOrientation: [[UInt8]]] = [
            .up: [[1, 11, 21], [2, 12, 22]],
            .upMirrored: [[21, 11, 1], [22, 12, 2]],
            .down: [[22, 12, 2], [21, 11, 1]],
            .downMirrored: [[2, 12, 22], [1, 11, 21]],
            .leftMirrored: [[1, 2], [11, 12], [21, 22]],
            .right: [[2, 1], [12, 11], [22, 21]],
            .rightMirrored: [[22, 21], [12, 11], [2, 1]],
            .left: [[21, 22], [11, 12], [1, 2]],
        ]
        for orientation in ExifOrientation.allCases {
            #expect(Self.reds(orientation.apply(to: Self.sample)) == expected[orientation], "\(orientation)")
        }
    }
}
