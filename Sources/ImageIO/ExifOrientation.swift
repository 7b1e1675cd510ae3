// ExifOrientation: the EXIF Orientation tag (0x0112) and the pixel transform it asks for.

/// How a camera says its pixels must be turned to be viewed upright (EXIF tag 0x0112).
///
/// Raw values are the EXIF codes. ``init(app1Payload:)`` parses the tag from a JPEG `APP1`
/// segment (`Exif\0\0` + a TIFF header + IFD0) with every offset bounds-checked, since the
/// segment is attacker-controlled; ``apply(to:)`` returns the upright image.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// 1: already upright.
    case up = 1
    /// 2: mirrored left–right.
    case upMirrored = 2
    /// 3: rotated 180°.
    case down = 3
    /// 4: mirrored top–bottom.
    case downMirrored = 4
    /// 5: transposed (mirrored along the main diagonal).
    case leftMirrored = 5
    /// 6: needs a 90° clockwise turn.
    case right = 6
    /// 7: transversed (mirrored along the anti-diagonal).
    case rightMirrored = 7
    /// 8: needs a 90° counter-clockwise turn.
    case left = 8

    static let orientationTag: UInt16 = 0x0112
    static let typeShort: UInt16 = 3

    /// Reads the orientation from the payload of an `APP1` segment (after its length field).
    /// Returns `nil` when the payload is not EXIF, is malformed, or has no valid tag.
    public init?(app1Payload payload: ArraySlice<UInt8>) {
        let header: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]  // "Exif\0\0"
        guard payload.count >= header.count, payload.prefix(header.count).elementsEqual(header) else { return nil }
        let tiff = Array(payload.dropFirst(header.count))
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func u16(_ offset: Int) -> UInt16? {
            guard offset >= 0, offset <= tiff.count - 2 else { return nil }
            let a = UInt16(tiff[offset]), b = UInt16(tiff[offset + 1])
            return littleEndian ? (b << 8 | a) : (a << 8 | b)
        }
        func u32(_ offset: Int) -> UInt32? {
            guard let first = u16(offset), let second = u16(offset + 2) else { return nil }
            return littleEndian ? (UInt32(second) << 16 | UInt32(first)) : (UInt32(first) << 16 | UInt32(second))
        }
        guard u16(2) == 42, let ifdOffset = u32(4).map(Int.init), let entryCount = u16(ifdOffset) else { return nil }
        for index in 0..<Int(entryCount) {
            let entry = ifdOffset + 2 + index * 12
            guard entry <= tiff.count - 12 else { return nil }
            guard u16(entry) == Self.orientationTag else { continue }
            guard u16(entry + 2) == Self.typeShort, let count = u32(entry + 4), count >= 1,
                  let value = u16(entry + 8) else { return nil }
            self.init(rawValue: Int(value))
            return
        }
        return nil
    }

    /// Whether the upright image swaps width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// The upright version of `image`, as stored with this orientation.
    public func apply(to image: Image) -> Image {
        guard self != .up else { return image }
        let sourceWidth = image.width, sourceHeight = image.height, channels = image.channels
        let width = swapsDimensions ? sourceHeight : sourceWidth
        let height = swapsDimensions ? sourceWidth : sourceHeight
        var output = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                var targetIndex = 0
                for y in 0..<height {
                    for x in 0..<width {
                        let (sx, sy) = sourceCoordinate(x: x, y: y, sourceWidth: sourceWidth, sourceHeight: sourceHeight)
                        let sourceIndex = (sy * sourceWidth + sx) * channels
                        for channel in 0..<channels {
                            target[targetIndex + channel] = source[sourceIndex + channel]
                        }
                        targetIndex += channels
                    }
                }
            }
        }
        return Image(validatedWidth: width, height: height, channels: channels, pixels: output)
    }

    /// Where output pixel (`x`, `y`) of the upright image comes from in the stored image.
    func sourceCoordinate(x: Int, y: Int, sourceWidth w: Int, sourceHeight h: Int) -> (Int, Int) {
        switch self {
        case .up: return (x, y)
        case .upMirrored: return (w - 1 - x, y)
        case .down: return (w - 1 - x, h - 1 - y)
        case .downMirrored: return (x, h - 1 - y)
        case .leftMirrored: return (y, x)
        case .right: return (y, h - 1 - x)
        case .rightMirrored: return (w - 1 - y, h - 1 - x)
        case .left: return (w - 1 - y, x)
        }
    }
}
