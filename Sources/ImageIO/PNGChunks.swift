// PNGChunks: a bounds-checked walk over a PNG's chunk list, run before libpng.

/// The pre-pass ``PNGDecoder`` runs over PNG bytes before handing them to libpng.
///
/// It reads `IHDR` itself — so dimension errors get precise messages and a bomb is refused
/// before libpng allocates anything — and copies the chunk list without the colour-management
/// chunks `gAMA`, `sRGB`, `iCCP` and `cHRM` (which would make libpng's simplified API apply a
/// gamma transform, and `iCCP` would make it inflate an attacker-sized profile). Everything
/// after `IEND` is dropped. Structural damage past `IHDR` is left for libpng to report.
struct PNGChunks {
    let width: Int
    let height: Int
    /// `IHDR` bit depth (1, 2, 4, 8 or 16; libpng validates it).
    let bitDepth: Int
    /// Whether `IHDR` declares Adam7 interlacing.
    let interlaced: Bool
    /// The input with the colour-management chunks removed.
    let sanitized: [UInt8]

    /// The largest chunk length the PNG specification allows (2³¹ − 1).
    static let maxChunkLength = 0x7FFF_FFFF
    private static let droppedChunks: Set<String> = ["gAMA", "sRGB", "iCCP", "cHRM"]

    static func scan(_ bytes: [UInt8], limits: ImageLimits) throws(ImageError) -> PNGChunks {
        let signatureLength = ImageFormat.pngSignature.count
        // Signature, then IHDR: length (4), type (4), 13 bytes of data, CRC (4).
        let ihdrEnd = signatureLength + 8 + 13 + 4
        guard bytes.count >= signatureLength + 8 else { throw .truncated(format: "PNG") }
        let firstLength = readUInt32(bytes, at: signatureLength)
        let firstType = chunkType(bytes, at: signatureLength + 4)
        guard firstType == "IHDR" else {
            throw .corrupt(format: "PNG", reason: "the first chunk is '\(firstType)', expected 'IHDR'")
        }
        guard firstLength == 13 else {
            throw .corrupt(format: "PNG", reason: "IHDR chunk has length \(firstLength), expected 13")
        }
        guard bytes.count >= ihdrEnd else { throw .truncated(format: "PNG") }
        let width = Int(readUInt32(bytes, at: signatureLength + 8))
        let height = Int(readUInt32(bytes, at: signatureLength + 12))
        guard width > 0, height > 0 else {
            throw .corrupt(format: "PNG", reason: "IHDR declares a \(width)×\(height) image (zero dimension)")
        }
        guard width <= maxChunkLength, height <= maxChunkLength else {
            throw .corrupt(format: "PNG", reason: "IHDR declares \(width)×\(height), beyond the PNG maximum of 2³¹−1")
        }
        try limits.check(width: width, height: height)

        var sanitized = [UInt8]()
        sanitized.reserveCapacity(bytes.count)
        sanitized.append(contentsOf: bytes[0..<ihdrEnd])
        var offset = ihdrEnd
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                sanitized.append(contentsOf: bytes[offset...])  // libpng reports the truncation.
                break
            }
            let length = Int(readUInt32(bytes, at: offset))
            guard length <= maxChunkLength else {
                throw .corrupt(format: "PNG", reason: "chunk at byte \(offset) declares length \(length), beyond 2³¹−1")
            }
            let type = chunkType(bytes, at: offset + 4)
            let end = offset + 12 + length
            guard end <= bytes.count else {
                sanitized.append(contentsOf: bytes[offset...])
                break
            }
            if !droppedChunks.contains(type) {
                sanitized.append(contentsOf: bytes[offset..<end])
            }
            offset = end
            if type == "IEND" { break }
        }
        let bitDepth = Int(bytes[signatureLength + 16])
        let interlaced = bytes[signatureLength + 20] != 0
        return PNGChunks(width: width, height: height, bitDepth: bitDepth, interlaced: interlaced, sanitized: sanitized)
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// The four type bytes as text; non-letters are shown as `?` so messages stay printable.
    static func chunkType(_ bytes: [UInt8], at offset: Int) -> String {
        let letters = bytes[offset..<offset + 4].map { byte -> Character in
            let isLetter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            return isLetter ? Character(Unicode.Scalar(byte)) : "?"
        }
        return String(letters)
    }
}
