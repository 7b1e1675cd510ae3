// PNGEncoder: Image → PNG bytes through libpng's simplified write API.

import CPNG

/// Encodes an ``Image`` as an 8-bit RGB or RGBA PNG with `png_image_write_to_memory`.
///
/// libpng's simplified writer is used rather than a hand-rolled zlib writer: it is the
/// reference implementation (filters, CRCs, chunk order), and like the simplified reader it
/// reports failures through a return code instead of `longjmp`. It is called twice: once with
/// no buffer to learn the size, then into an exactly sized buffer.
public enum PNGEncoder {
    /// PNG bytes for `image`. Throws ``ImageError/encodingFailed(format:reason:)`` only if
    /// libpng fails (for example when memory runs out).
    public static func encode(_ image: Image) throws(ImageError) -> [UInt8] {
        let result: Result<[UInt8], ImageError> = image.pixels.withUnsafeBytes { pixels in
            var control = png_image()
            control.version = 1  // PNG_IMAGE_VERSION
            control.width = UInt32(image.width)
            control.height = UInt32(image.height)
            control.format = image.hasAlpha ? 0x03 : 0x02  // PNG_FORMAT_RGBA / PNG_FORMAT_RGB
            let stride = Int32(image.rowBytes)
            var size = 0
            guard png_image_write_to_memory(&control, nil, &size, 0, pixels.baseAddress, stride, nil) != 0,
                  size > 0 else {
                return .failure(failure(&control))
            }
            var output = [UInt8](repeating: 0, count: size)
            let status = output.withUnsafeMutableBytes { buffer in
                png_image_write_to_memory(&control, buffer.baseAddress, &size, 0, pixels.baseAddress, stride, nil)
            }
            guard status != 0 else { return .failure(failure(&control)) }
            output.removeSubrange(size...)
            return .success(output)
        }
        return try result.get()
    }

    private static func failure(_ control: inout png_image) -> ImageError {
        let message = withUnsafeBytes(of: &control.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        png_image_free(&control)
        return .encodingFailed(format: "PNG", reason: message.isEmpty ? "libpng reported an unknown error" : message)
    }
}
