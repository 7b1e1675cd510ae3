// JPEGEncoder: Image → JPEG bytes through TurboJPEG.

import CTurboJPEG

/// Encodes an ``Image`` as a baseline JPEG with TurboJPEG's `tjCompress2`.
///
/// JPEG has no alpha: an RGBA image is encoded from its colour samples (`TJPF_RGBX`), the
/// alpha channel dropped. Chroma is subsampled 4:2:0 by default (what viewers and Pillow use
/// for photos); pass `.s444` for sharp synthetic graphics such as labelled detections.
public struct JPEGEncoder: Sendable {
    /// Chroma subsampling of the encoded file.
    public enum Subsampling: Sendable {
        /// Full-resolution chroma (`TJSAMP_444`).
        case s444
        /// Half horizontal resolution (`TJSAMP_422`).
        case s422
        /// Half horizontal and vertical resolution (`TJSAMP_420`).
        case s420
    }

    /// libjpeg quality, 1 (smallest) … 100 (best); clamped into that range.
    public var quality: Int
    public var subsampling: Subsampling

    public init(quality: Int = 90, subsampling: Subsampling = .s420) {
        self.quality = min(max(quality, 1), 100)
        self.subsampling = subsampling
    }

    /// JPEG bytes for `image`. Throws ``ImageError/encodingFailed(format:reason:)`` if
    /// TurboJPEG fails.
    public func encode(_ image: Image) throws(ImageError) -> [UInt8] {
        guard let handle = tjInitCompress() else {
            throw .encodingFailed(format: "JPEG", reason: "TurboJPEG could not create a compressor")
        }
        defer { tjDestroy(handle) }
        let pixelFormat = image.hasAlpha ? TJPF_RGBX : TJPF_RGB
        let sampling: TJSAMP
        switch subsampling {
        case .s444: sampling = TJSAMP_444
        case .s422: sampling = TJSAMP_422
        case .s420: sampling = TJSAMP_420
        }
        var jpegBuffer: UnsafeMutablePointer<UInt8>? = nil
        var jpegSize: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), Int32(image.rowBytes), Int32(image.height),
                        Int32(pixelFormat.rawValue), &jpegBuffer, &jpegSize,
                        Int32(sampling.rawValue), Int32(quality), TJFLAG_ACCURATEDCT)
        }
        defer { if let jpegBuffer { tjFree(jpegBuffer) } }
        guard status == 0, let jpegBuffer else {
            let reason = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown TurboJPEG error"
            throw .encodingFailed(format: "JPEG", reason: reason)
        }
        return Array(UnsafeBufferPointer(start: jpegBuffer, count: Int(jpegSize)))
    }
}
