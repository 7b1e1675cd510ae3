// JPEGDecoder: JPEG → Image through TurboJPEG, with EXIF orientation applied.

import CTurboJPEG

/// Decodes JPEG data with TurboJPEG (`tjInitDecompress`, `tjDecompressHeader3`,
/// `tjDecompress2`, errors from `tjGetErrorStr2`/`tjGetErrorCode`).
///
/// Baseline and progressive, greyscale (expanded to RGB by libjpeg-turbo) and CMYK/YCCK
/// (decoded as Adobe-style inverted CMYK and converted here, `R = C·K/255`). A bounds-checked
/// marker walk (``JPEGMarkers``) runs first: it tells a truncated header from a corrupt one and
/// finds the EXIF orientation, which ``ExifOrientation`` then applies to the pixels.
/// The header dimensions are checked against the limits before `tjDecompress2` allocates.
/// `TJFLAG_LIMITSCANS` refuses progressive files with more than 500 scans (a CPU bomb).
/// libjpeg's error recovery (`setjmp`) stays inside TurboJPEG's C code; each call creates and
/// destroys its own handle, so concurrent decodes share nothing.
enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], limits: ImageLimits) throws(ImageError) -> Image {
        let markers = try JPEGMarkers.scan(bytes)
        guard let handle = tjInitDecompress() else {
            throw .corrupt(format: "JPEG", reason: "TurboJPEG could not create a decompressor")
        }
        defer { tjDestroy(handle) }

        let result: Result<Image, ImageError> = bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return .failure(.truncated(format: "JPEG")) }
            let size = UInt(input.count)
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, base, size, &width, &height, &subsampling, &colorspace) == 0 else {
                return .failure(error(handle))
            }
            guard width > 0, height > 0 else {
                return .failure(.corrupt(format: "JPEG", reason: "header declares a \(width)×\(height) image"))
            }
            let pixelWidth = Int(width), pixelHeight = Int(height)
            guard limits.admits(width: pixelWidth, height: pixelHeight) else {
                return .failure(.tooLarge(width: pixelWidth, height: pixelHeight, limit: limits))
            }
            let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            let sourceChannels = isCMYK ? 4 : 3
            let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_RGB
            var pixels = [UInt8](repeating: 0, count: pixelWidth * pixelHeight * sourceChannels)
            let status = pixels.withUnsafeMutableBufferPointer { output in
                tjDecompress2(handle, base, size, output.baseAddress, width, 0, height,
                              Int32(pixelFormat.rawValue), TJFLAG_LIMITSCANS)
            }
            if status != 0 {
                // A warning still yields a complete image, except premature end of data.
                let message = errorString(handle)
                if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
                    return .failure(.corrupt(format: "JPEG", reason: message))
                }
                if message.contains("Premature end") {
                    return .failure(.truncated(format: "JPEG"))
                }
            }
            let rgb = isCMYK ? convertInvertedCMYK(pixels) : pixels
            return .success(Image(validatedWidth: pixelWidth, height: pixelHeight, channels: 3, pixels: rgb))
        }
        let image = try result.get()
        return markers.orientation.apply(to: image)
    }

    /// Adobe CMYK JPEGs store inverted ink values, so the stored bytes are already
    /// "amount of light": `R = C·K/255`, `G = M·K/255`, `B = Y·K/255` (rounded).
    static func convertInvertedCMYK(_ cmyk: [UInt8]) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: cmyk.count / 4 * 3)
        var target = 0
        for source in stride(from: 0, to: cmyk.count, by: 4) {
            let key = UInt32(cmyk[source + 3])
            for channel in 0..<3 {
                let product = UInt32(cmyk[source + channel]) * key
                rgb[target + channel] = UInt8((product + 127) / 255)
            }
            target += 3
        }
        return rgb
    }

    private static func errorString(_ handle: tjhandle) -> String {
        guard let cString = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: cString)
    }

    private static func error(_ handle: tjhandle) -> ImageError {
        let message = errorString(handle)
        if message.contains("Premature end") { return .truncated(format: "JPEG") }
        return .corrupt(format: "JPEG", reason: message)
    }
}
