// ImageFormat: format detection from magic bytes only.

/// The container format of encoded image bytes, detected from its signature.
///
/// Detection looks only at the leading bytes — never at a file name or a `Content-Type`
/// header, both of which an untrusted client controls independently of the data.
public enum ImageFormat: Sendable, Equatable {
    /// `89 50 4E 47 0D 0A 1A 0A`.
    case png
    /// Start-of-image `FF D8` followed by another marker `FF`.
    case jpeg
    /// A format recognised by its signature but not decoded here (GIF, BMP, WebP, …).
    case unsupported(String)
    /// Nothing recognisable.
    case unknown

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// Classifies `bytes` by their first few bytes.
    public init(sniffing bytes: [UInt8]) {
        func startsWith(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + prefix.count else { return false }
            for (index, byte) in prefix.enumerated() where bytes[offset + index] != byte { return false }
            return true
        }
        func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

        if startsWith(Self.pngSignature) {
            self = .png
        } else if startsWith(Self.jpegSignature) {
            self = .jpeg
        } else if startsWith(ascii("GIF87a")) || startsWith(ascii("GIF89a")) {
            self = .unsupported("GIF")
        } else if startsWith(ascii("RIFF")) && startsWith(ascii("WEBP"), at: 8) {
            self = .unsupported("WebP")
        } else if startsWith(ascii("BM")) && bytes.count >= 14 {
            self = .unsupported("BMP")
        } else if startsWith([0x49, 0x49, 0x2A, 0x00]) || startsWith([0x4D, 0x4D, 0x00, 0x2A]) {
            self = .unsupported("TIFF")
        } else if startsWith(ascii("ftyp"), at: 4) {
            self = .unsupported("HEIF/AVIF")
        } else if startsWith([0x00, 0x00, 0x01, 0x00]) {
            self = .unsupported("ICO")
        } else if startsWith([0xFF, 0x0A]) || startsWith([0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20]) {
            self = .unsupported("JPEG XL")
        } else if startsWith([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) {
            self = .unsupported("JPEG 2000")
        } else {
            self = .unknown
        }
    }

    /// Whether `bytes` is a proper, non-empty prefix of a supported signature: such data is
    /// a truncated PNG or JPEG rather than an unknown format.
    static func isTruncatedSignature(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        if bytes.count < pngSignature.count, Array(pngSignature.prefix(bytes.count)) == bytes { return "PNG" }
        if bytes.count < jpegSignature.count, Array(jpegSignature.prefix(bytes.count)) == bytes { return "JPEG" }
        return nil
    }
}
