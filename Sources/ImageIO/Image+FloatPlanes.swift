// Image+FloatPlanes: conversion between 8-bit pixels and normalised float planes.

/// The numeric range of float samples (0…255 maps onto it linearly).
public enum SampleRange: Sendable {
    /// 0 … 1.
    case unit
    /// −1 … 1, the range diffusion VAEs work in.
    case symmetric
}

extension Image {
    /// The colour channels as planar floats (`[red plane, green plane, blue plane]`, each
    /// `height × width` row-major), i.e. CHW layout; alpha is not included. This is the
    /// hand-off to the tensor code, which stays outside this module.
    public func floatPlanes(range: SampleRange = .symmetric) -> [Float] {
        let area = width * height
        var planes = [Float](repeating: 0, count: 3 * area)
        for index in 0..<area {
            for channel in 0..<3 {
                let value = Float(pixels[index * channels + channel]) / 255
                planes[channel * area + index] = range == .unit ? value : value * 2 - 1
            }
        }
        return planes
    }

    /// An RGB image from planar floats in CHW layout (3 planes of `height × width`), values
    /// clamped into `range` and rounded to 8 bits; NaN becomes black. Returns `nil` when the
    /// count does not match the size.
    public init?(floatPlanes planes: [Float], width: Int, height: Int, range: SampleRange = .symmetric) {
        guard width >= 1, height >= 1 else { return nil }
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, area <= Int.max / 3, planes.count == 3 * area else { return nil }
        var pixels = [UInt8](repeating: 0, count: 3 * area)
        for index in 0..<area {
            for channel in 0..<3 {
                let sample = planes[channel * area + index]
                let unit = range == .unit ? sample : (sample + 1) / 2
                let scaled = (unit.isNaN ? 0 : min(max(unit, 0), 1)) * 255
                pixels[index * 3 + channel] = UInt8(scaled.rounded())
            }
        }
        self.init(validatedWidth: width, height: height, channels: 3, pixels: pixels)
    }
}
