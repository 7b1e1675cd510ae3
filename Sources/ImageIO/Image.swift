// Image: the decoded raster every codec in this module produces and consumes.

/// An 8-bit raster image with interleaved RGB or RGBA pixels, rows top to bottom.
///
/// This is the one value type the codecs share: ``ImageDecoder`` produces it from untrusted
/// bytes, ``PNGEncoder`` and ``JPEGEncoder`` consume it, and the drawing helpers edit it in
/// place. It deliberately knows nothing of tensors; conversion to normalised float planes
/// belongs to a separate extension so the codec stays a pure, dependency-free module.
///
/// Invariants (checked by the initialisers): `width ≥ 1`, `height ≥ 1`, `channels` is 3 or 4,
/// and `pixels.count == width * height * channels`.
public struct Image: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Samples per pixel: 3 (RGB) or 4 (RGBA, straight — not premultiplied — alpha).
    public let channels: Int
    /// Interleaved samples, `channels` per pixel, row-major from the top-left corner.
    public internal(set) var pixels: [UInt8]

    /// Whether the image carries an alpha channel.
    public var hasAlpha: Bool { channels == 4 }

    /// Bytes per row.
    public var rowBytes: Int { width * channels }

    /// Wraps existing pixel data; returns `nil` if the sizes do not agree.
    public init?(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        guard width >= 1, height >= 1, channels == 3 || channels == 4 else { return nil }
        let (area, overflow1) = width.multipliedReportingOverflow(by: height)
        let (count, overflow2) = area.multipliedReportingOverflow(by: channels)
        guard !overflow1, !overflow2, pixels.count == count else { return nil }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A blank image filled with one colour (RGB when `alpha` is `nil`, RGBA otherwise).
    ///
    /// Dimensions are programmer input, so non-positive sizes are a precondition failure.
    public init(width: Int, height: Int, fill: RGBColor = .black, alpha: UInt8? = nil) {
        precondition(width >= 1 && height >= 1, "Image dimensions must be positive")
        self.width = width
        self.height = height
        if let alpha {
            channels = 4
            var pixels = [UInt8](repeating: 0, count: width * height * 4)
            for index in stride(from: 0, to: pixels.count, by: 4) {
                pixels[index] = fill.red
                pixels[index + 1] = fill.green
                pixels[index + 2] = fill.blue
                pixels[index + 3] = alpha
            }
            self.pixels = pixels
        } else {
            channels = 3
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for index in stride(from: 0, to: pixels.count, by: 3) {
                pixels[index] = fill.red
                pixels[index + 1] = fill.green
                pixels[index + 2] = fill.blue
            }
            self.pixels = pixels
        }
    }

    /// The samples of the pixel at (`x`, `y`); `nil` outside the image.
    public func pixel(x: Int, y: Int) -> [UInt8]? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let start = (y * width + x) * channels
        return Array(pixels[start..<start + channels])
    }

    /// The same image with the alpha channel dropped (a no-op for RGB images).
    public func droppingAlpha() -> Image {
        guard channels == 4 else { return self }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var target = 0
        for source in stride(from: 0, to: pixels.count, by: 4) {
            rgb[target] = pixels[source]
            rgb[target + 1] = pixels[source + 1]
            rgb[target + 2] = pixels[source + 2]
            target += 3
        }
        return Image(validatedWidth: width, height: height, channels: 3, pixels: rgb)
    }

    /// Internal initialiser for codec output whose sizes are already known to agree.
    init(validatedWidth width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        assert(pixels.count == width * height * channels)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// An opaque 8-bit RGB colour for drawing.
public struct RGBColor: Sendable, Equatable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    public static let white = RGBColor(red: 255, green: 255, blue: 255)
    public static let red = RGBColor(red: 255, green: 0, blue: 0)
    public static let green = RGBColor(red: 0, green: 255, blue: 0)
    public static let blue = RGBColor(red: 0, green: 0, blue: 255)
    public static let yellow = RGBColor(red: 255, green: 255, blue: 0)
}
