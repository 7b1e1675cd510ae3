// ImageLimits: the size caps checked before any pixel memory is allocated.

/// Upper bounds on an untrusted image, checked from the header before decoding pixel data.
///
/// A 1 KB PNG can declare 100000×100000 pixels and its zlib stream can expand to tens of
/// gigabytes, so ``ImageDecoder`` compares the declared dimensions with these limits before
/// it asks libpng or TurboJPEG for a single row. `maxBytes` bounds the encoded input itself.
public struct ImageLimits: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Largest accepted `width * height`.
    public var maxPixels: Int
    /// Largest accepted width and largest accepted height.
    public var maxDimension: Int
    /// Largest accepted encoded input, in bytes.
    public var maxBytes: Int

    public init(maxPixels: Int, maxDimension: Int, maxBytes: Int) {
        self.maxPixels = maxPixels
        self.maxDimension = maxDimension
        self.maxBytes = maxBytes
    }

    /// 40 megapixels, 16384 pixels a side, 32 MiB of input: generous for uploads, while the
    /// decoded buffer stays below 160 MB.
    public static let `default` = ImageLimits(maxPixels: 40_000_000, maxDimension: 16_384, maxBytes: 32 << 20)

    /// Whether an image of the given size is within the pixel and dimension limits.
    public func admits(width: Int, height: Int) -> Bool {
        guard width <= maxDimension, height <= maxDimension else { return false }
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        return !overflow && area <= maxPixels
    }

    /// Throws ``ImageError/tooLarge(width:height:limit:)`` when the size is over a limit.
    func check(width: Int, height: Int) throws(ImageError) {
        guard admits(width: width, height: height) else {
            throw .tooLarge(width: width, height: height, limit: self)
        }
    }

    public var description: String {
        "at most \(maxDimension) pixels a side, \(maxPixels) pixels, \(maxBytes) bytes of input"
    }
}
