// libFuzzer entry point for the safetensors header parser (`SafetensorsHeader`).
//
// Compiled by build.sh together with the Weights sources into one module, so it reaches the
// parser without mmap. The first input byte picks the mode:
//   even: the rest is a whole file (length prefix included), exercising the framing checks;
//   odd:  the rest is header JSON; the harness adds a correct length prefix and a 256-byte data
//         region, so mutations spend their time in the JSON and entry validation.
// After a successful parse it checks the invariants the data accessors rely on and widens every
// float tensor, so an accepted-but-wrong header shows up as a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensorsHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let body = Array(input.dropFirst())
    let file: [UInt8]
    if input[0] % 2 == 0 {
        file = body
    } else {
        var framed: [UInt8] = []
        FloatConversion.appendLittleEndian(UInt64(body.count), to: &framed)
        framed += body
        framed += [UInt8](repeating: 0x3C, count: 256)
        file = framed
    }
    file.withUnsafeBytes { bytes in
        do throws(WeightsError) {
            let header = try SafetensorsHeader(parsing: bytes)
            checkInvariants(of: header, fileBytes: bytes)
        } catch {
            _ = error.description
            _ = error.tensorName
        }
    }
    return 0
}

private func checkInvariants(of header: SafetensorsHeader, fileBytes: UnsafeRawBufferPointer) {
    precondition(header.dataRegionOffset + header.dataRegionByteCount == fileBytes.count)
    for info in header.tensors {
        precondition(info.dataOffsets.lowerBound >= 0)
        precondition(info.dataOffsets.upperBound <= header.dataRegionByteCount)
        precondition(info.elementCount * info.dataType.byteSize == info.byteCount)
        precondition(header.info(named: info.name) == info)
        let start = header.dataRegionOffset + info.dataOffsets.lowerBound
        let end = header.dataRegionOffset + info.dataOffsets.upperBound
        let bytes = UnsafeRawBufferPointer(rebasing: fileBytes[start..<end])
        if info.dataType.widensToFloat {
            var values = [Float](repeating: 0, count: info.elementCount)
            let widened = values.withUnsafeMutableBufferPointer {
                FloatConversion.widen(bytes, of: info.dataType, into: $0)
            }
            precondition(widened)
        } else if info.dataType.readsAsInteger {
            precondition(FloatConversion.integers(bytes, of: info.dataType)?.count == info.elementCount)
        }
    }
}
