// libFuzzer entry point for ImageDecoder (see Fuzz/README.md, "## Image decoder").
//
// Each input is a whole file. A decode must either throw an ImageError or return an image
// whose invariants hold; small decoded images are also re-encoded as PNG and decoded again,
// which must reproduce them exactly (exercising PNGEncoder on arbitrary pixel content).

/// Tight limits keep every allocation small under AddressSanitizer's 2 GB RSS cap.
let fuzzLimits = ImageLimits(maxPixels: 1 << 22, maxDimension: 8192, maxBytes: 1 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let image: Image
    do {
        image = try ImageDecoder.decode(bytes, limits: fuzzLimits)
    } catch {
        _ = error.message  // every error must describe itself
        return 0
    }
    precondition(image.width >= 1 && image.height >= 1, "empty image accepted")
    precondition(fuzzLimits.admits(width: image.width, height: image.height), "limits not enforced")
    precondition(image.channels == 3 || image.channels == 4, "bad channel count")
    precondition(image.pixels.count == image.width * image.height * image.channels, "bad pixel count")
    if image.width * image.height <= 65_536 {
        do {
            let encoded = try PNGEncoder.encode(image)
            let again = try ImageDecoder.decode(encoded, limits: fuzzLimits)
            precondition(again == image, "PNG round trip changed the image")
        } catch {
            preconditionFailure("re-encoding a decoded image failed: \(error)")
        }
    }
    return 0
}
