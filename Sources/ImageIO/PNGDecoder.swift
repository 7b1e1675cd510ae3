// PNGDecoder: PNG → Image through libpng's simplified read API.

import CPNG

/// Decodes PNG data with libpng's simplified API
/// (`png_image_begin_read_from_memory` / `png_image_finish_read`).
///
/// The simplified API catches libpng errors internally (its own `setjmp`, entirely in C) and
/// reports them as a zero return with `png_image.message`, so no `longjmp` ever crosses a
/// Swift frame. Before libpng sees the data, ``PNGChunks`` walks the chunk list: it checks the
/// `IHDR` dimensions against the limits (so nothing is allocated for a bomb) and drops the
/// colour-management chunks (`gAMA`, `sRGB`, `iCCP`, `cHRM`) so that samples come out
/// unchanged — gamma is ignored, as the models expect raw sRGB-ish values.
///
/// Every colour type and bit depth is accepted: palette, grey, grey+alpha, RGB, RGBA at
/// 1/2/4/8/16 bits, `tRNS`, Adam7 interlacing. Output is RGBA when the file has alpha or
/// `tRNS`, RGB otherwise; 16-bit samples are scaled to 8 bits with rounding (`v·255/65535`).
///
/// libpng 1.6.39's simplified reader garbles 16-bit *interlaced* images when it scales them
/// to 8 bits itself (the even rows come out as copies of odd ones). Those images are read as
/// 16-bit linear samples instead — identity, since the gamma chunks are gone and 16-bit input
/// defaults to linear — and scaled here. In that mode libpng premultiplies alpha, so colour is
/// recovered by dividing by alpha: exact to ±1 where the 8-bit alpha is at least 1, and black
/// where the pixel is (almost) fully transparent.
enum PNGDecoder {
    /// libpng's `PNG_IMAGE_VERSION`.
    private static let imageVersion: UInt32 = 1
    /// `PNG_FORMAT_RGB` and `PNG_FORMAT_RGBA` (8-bit, sRGB-encoded, straight alpha).
    private static let formatRGB: UInt32 = 0x02
    private static let formatRGBA: UInt32 = 0x03
    /// `PNG_FORMAT_FLAG_ALPHA`: set after `begin_read` for alpha channels and `tRNS`.
    private static let formatFlagAlpha: UInt32 = 0x01
    /// `PNG_IMAGE_FLAG_16BIT_sRGB`: 16-bit samples are sRGB-encoded, so scaling them to
    /// 8 bits is a plain rescale rather than a linear → sRGB conversion.
    private static let flag16BitSRGB: UInt32 = 0x04
    /// `PNG_FORMAT_FLAG_LINEAR`: 16-bit linear output samples.
    private static let formatFlagLinear: UInt32 = 0x04

    static func decode(_ bytes: [UInt8], limits: ImageLimits) throws(ImageError) -> Image {
        let scan = try PNGChunks.scan(bytes, limits: limits)
        let result: Result<Image, ImageError> = scan.sanitized.withUnsafeBytes { buffer in
            // libpng keeps the pointer until finish_read, so both calls live in this closure.
            var control = png_image()
            control.version = imageVersion
            guard png_image_begin_read_from_memory(&control, buffer.baseAddress, buffer.count) != 0 else {
                return .failure(error(from: &control))
            }
            let width = Int(control.width)
            let height = Int(control.height)
            // libpng re-read IHDR itself; check again so the two parses cannot disagree.
            guard width == scan.width, height == scan.height, limits.admits(width: width, height: height) else {
                png_image_free(&control)
                return .failure(.tooLarge(width: width, height: height, limit: limits))
            }
            let hasAlpha = control.format & formatFlagAlpha != 0
            let channels = hasAlpha ? 4 : 3
            if scan.bitDepth == 16 && scan.interlaced {
                return readWide(&control, width: width, height: height, channels: channels)
            }
            control.format = hasAlpha ? formatRGBA : formatRGB
            control.flags |= flag16BitSRGB
            var pixels = [UInt8](repeating: 0, count: width * height * channels)
            let status = pixels.withUnsafeMutableBytes { output in
                png_image_finish_read(&control, nil, output.baseAddress, Int32(width * channels), nil)
            }
            // finish_read frees libpng's state on success and on failure.
            guard status != 0 else { return .failure(error(from: &control)) }
            return .success(Image(validatedWidth: width, height: height, channels: channels, pixels: pixels))
        }
        return try result.get()
    }

    /// The 16-bit path (see the type's documentation): linear 16-bit output, then
    /// un-premultiply and scale to 8 bits with libpng's rounding `(v·255 + 32895) >> 16`.
    private static func readWide(_ control: inout png_image, width: Int, height: Int, channels: Int) -> Result<Image, ImageError> {
        control.format = (channels == 4 ? formatRGBA : formatRGB) | formatFlagLinear
        var samples = [UInt16](repeating: 0, count: width * height * channels)
        let status = samples.withUnsafeMutableBytes { output in
            // row_stride counts components (16-bit samples here), not bytes.
            png_image_finish_read(&control, nil, output.baseAddress, Int32(width * channels), nil)
        }
        guard status != 0 else { return .failure(error(from: &control)) }
        func to8(_ value: UInt32) -> UInt8 { UInt8((min(value, 65535) * 255 + 32895) >> 16) }
        var pixels = [UInt8](repeating: 0, count: samples.count)
        if channels == 4 {
            for base in stride(from: 0, to: samples.count, by: 4) {
                let alpha = UInt32(samples[base + 3])
                for channel in 0..<3 {
                    let premultiplied = UInt32(samples[base + channel])
                    pixels[base + channel] = alpha == 0 ? 0 : to8((premultiplied * 65535 + alpha / 2) / alpha)
                }
                pixels[base + 3] = to8(alpha)
            }
        } else {
            for index in samples.indices { pixels[index] = to8(UInt32(samples[index])) }
        }
        return .success(Image(validatedWidth: width, height: height, channels: channels, pixels: pixels))
    }

    /// Turns `png_image.message` into a typed error and releases libpng's state.
    private static func error(from control: inout png_image) -> ImageError {
        let message = withUnsafeBytes(of: &control.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        png_image_free(&control)
        if message.contains("read beyond end of data") || message.contains("Not enough image data")
            || message.contains("unexpected end") {
            return .truncated(format: "PNG")
        }
        return .corrupt(format: "PNG", reason: message.isEmpty ? "libpng reported an unknown error" : message)
    }
}
