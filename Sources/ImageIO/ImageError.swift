// ImageError: the typed failures of decoding untrusted images.

/// Why an image could not be decoded (or, rarely, encoded).
///
/// Every case carries enough context for a human-readable ``message`` that names what is
/// wrong; the service maps `unsupportedFormat` → 415, `tooLarge`/`inputTooLarge` → 413 and
/// `truncated`/`corrupt` → 422.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes start with neither the PNG signature nor a JPEG start-of-image marker.
    /// `detected` names a recognised but unsupported format (GIF, BMP, WebP, …), if any.
    case unsupportedFormat(detected: String?)
    /// The encoded input is larger than ``ImageLimits/maxBytes``.
    case inputTooLarge(byteCount: Int, limit: ImageLimits)
    /// The header declares more pixels than the limits allow; nothing was decoded.
    case tooLarge(width: Int, height: Int, limit: ImageLimits)
    /// The data ends before the image does. `format` is "PNG" or "JPEG".
    case truncated(format: String)
    /// The data is malformed; `reason` says how (often the library's own message).
    case corrupt(format: String, reason: String)
    /// An encoder failed (allocation failure or a library error); `reason` says which.
    case encodingFailed(format: String, reason: String)

    /// A one-sentence, human-readable explanation.
    public var message: String {
        switch self {
        case .unsupportedFormat(let detected?):
            return "unsupported image format \(detected): only PNG and JPEG are accepted"
        case .unsupportedFormat(nil):
            return "unrecognised image data: only PNG and JPEG are accepted (checked by signature)"
        case .inputTooLarge(let byteCount, let limit):
            return "image data is \(byteCount) bytes; the limit is \(limit.maxBytes) bytes"
        case .tooLarge(let width, let height, let limit):
            if width > limit.maxDimension || height > limit.maxDimension {
                return "image is \(width)×\(height) pixels; the limit is \(limit.maxDimension) pixels a side"
            }
            return "image is \(width)×\(height) pixels; the limit is \(limit.maxPixels) pixels in total"
        case .truncated(let format):
            return "\(format) data is truncated: the file ends before the image does"
        case .corrupt(let format, let reason):
            return "\(format) data is corrupt: \(reason)"
        case .encodingFailed(let format, let reason):
            return "\(format) encoding failed: \(reason)"
        }
    }

    /// The HTTP status a service should answer with: 415 for an unsupported format, 413 for
    /// size limits, 422 for truncated or corrupt data, 500 for an encoder failure.
    public var httpStatus: Int {
        switch self {
        case .unsupportedFormat: return 415
        case .inputTooLarge, .tooLarge: return 413
        case .truncated, .corrupt: return 422
        case .encodingFailed: return 500
        }
    }

    public var description: String { message }
}
