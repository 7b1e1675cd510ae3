// JPEGMarkers: a bounds-checked walk over JPEG marker segments up to the first scan.

/// The pre-pass ``JPEGDecoder`` runs before TurboJPEG: it walks the marker segments from
/// `SOI` to the first `SOS`, so that data ending inside the headers is reported as truncated
/// (libjpeg would call it "no image"), and it extracts the EXIF orientation from the first
/// `APP1` segment that starts with `Exif\0\0`. Every read is bounds-checked.
struct JPEGMarkers {
    /// The orientation from EXIF, or ``ExifOrientation/up`` when absent or unreadable.
    var orientation: ExifOrientation = .up

    static func scan(_ bytes: [UInt8]) throws(ImageError) -> JPEGMarkers {
        var result = JPEGMarkers()
        var foundExif = false
        var offset = 2  // after SOI
        while true {
            guard offset < bytes.count else { throw .truncated(format: "JPEG") }
            guard bytes[offset] == 0xFF else {
                throw .corrupt(format: "JPEG", reason: "expected a marker at byte \(offset), found 0x\(hex(bytes[offset]))")
            }
            // Any number of 0xFF fill bytes may precede the marker code.
            while offset < bytes.count, bytes[offset] == 0xFF { offset += 1 }
            guard offset < bytes.count else { throw .truncated(format: "JPEG") }
            let marker = bytes[offset]
            offset += 1
            switch marker {
            case 0xDA:  // SOS: entropy-coded data follows; the headers are complete.
                return result
            case 0xD9:
                throw .corrupt(format: "JPEG", reason: "end-of-image marker before any scan")
            case 0xD8:
                throw .corrupt(format: "JPEG", reason: "second start-of-image marker at byte \(offset - 2)")
            case 0x01, 0xD0...0xD7:  // TEM, RSTn: no length field.
                continue
            case 0x00:
                throw .corrupt(format: "JPEG", reason: "invalid marker 0xFF00 at byte \(offset - 2)")
            default:
                guard bytes.count - offset >= 2 else { throw .truncated(format: "JPEG") }
                let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                guard length >= 2 else {
                    throw .corrupt(format: "JPEG", reason: "marker 0xFF\(hex(marker)) has invalid length \(length)")
                }
                guard bytes.count - offset >= length else { throw .truncated(format: "JPEG") }
                if marker == 0xE1, !foundExif {
                    let payload = bytes[(offset + 2)..<(offset + length)]
                    if let orientation = ExifOrientation(app1Payload: payload) {
                        result.orientation = orientation
                        foundExif = true
                    }
                }
                offset += length
            }
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
