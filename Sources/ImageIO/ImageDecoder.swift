// ImageDecoder: the single entry point for decoding untrusted image bytes.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes untrusted PNG or JPEG bytes into an ``Image``.
///
/// The format is sniffed from the magic bytes (``ImageFormat``). Before any pixel data is
/// decoded the input size and the header's dimensions are compared with ``ImageLimits``, so a
/// decompression bomb is refused without allocating its raster. PNG goes through libpng's
/// simplified API (``PNGDecoder``), JPEG through TurboJPEG (``JPEGDecoder``); neither path
/// uses `setjmp`/`longjmp` across Swift frames, and every call owns its own library state,
/// so concurrent decodes are safe.
///
/// Output: RGBA when the file has alpha (an alpha channel or a `tRNS` chunk), RGB otherwise;
/// 16-bit samples are rounded to 8 bits; gamma and colour-profile chunks are ignored; JPEG
/// EXIF orientation is applied.
public enum ImageDecoder {
    /// Decodes `bytes`, throwing a specific ``ImageError`` for anything unacceptable.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws(ImageError) -> Image {
        guard bytes.count <= limits.maxBytes else {
            throw .inputTooLarge(byteCount: bytes.count, limit: limits)
        }
        guard !bytes.isEmpty else {
            throw .corrupt(format: "image", reason: "no image data (0 bytes)")
        }
        switch ImageFormat(sniffing: bytes) {
        case .png:
            return try PNGDecoder.decode(bytes, limits: limits)
        case .jpeg:
            return try JPEGDecoder.decode(bytes, limits: limits)
        case .unsupported(let name):
            throw .unsupportedFormat(detected: name)
        case .unknown:
            if let format = ImageFormat.isTruncatedSignature(bytes) {
                throw .truncated(format: format)
            }
            throw .unsupportedFormat(detected: nil)
        }
    }

    /// Decodes the bytes of `data`; see ``decode(_:limits:)-([UInt8],_)``.
    public static func decode(_ data: Data, limits: ImageLimits = .default) throws(ImageError) -> Image {
        guard data.count <= limits.maxBytes else {
            throw .inputTooLarge(byteCount: data.count, limit: limits)
        }
        return try decode([UInt8](data), limits: limits)
    }
}
