// libFuzzer entry for MultipartFormData: the first byte picks a boundary length,
// the rest is the body. Any input must either parse or throw MultipartError.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let boundaryLength = Int(bytes[0] % 8) + 1
    let boundary = String(repeating: "b", count: boundaryLength)
    var limits = MultipartFormData.Limits()
    limits.maxParts = 8
    limits.maxPartHeaderBytes = 256
    if let form = try? MultipartFormData(parsing: Array(bytes.dropFirst()), boundary: boundary, limits: limits) {
        for part in form.parts { _ = part.text }
    }
    if let text = String(validating: bytes.dropFirst(), as: UTF8.self) {
        _ = try? MultipartFormData.boundary(fromContentType: text)
    }
    return 0
}
