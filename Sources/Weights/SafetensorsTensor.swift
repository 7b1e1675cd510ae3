/// One tensor of an open `SafetensorsFile`: its name, dtype and shape, and access to its bytes.
///
/// The view keeps the file mapped while it exists. Reading is zero-copy through
/// `withUnsafeBytes`; `floats()` and `copyFloats(into:)` widen F16 and BF16 to `Float` on each
/// call (F32 is copied as is). Integer tensors (ids, masks) read through `integers()`.
public struct SafetensorsTensor: Sendable {
    public let info: SafetensorsTensorInfo
    let file: SafetensorsFile

    init(info: SafetensorsTensorInfo, file: SafetensorsFile) {
        self.info = info
        self.file = file
    }

    public var name: String { info.name }
    public var dataType: SafetensorsDataType { info.dataType }
    public var shape: [Int] { info.shape }
    public var elementCount: Int { info.elementCount }
    public var byteCount: Int { info.byteCount }

    /// Calls `body` with the stored little-endian bytes (no alignment guarantee).
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try file.withUnsafeBytes(of: info, body)
    }

    /// Drops the process's resident copy of this tensor's bytes (whole pages only) after its values were copied
    /// elsewhere; reading it again maps them back in from the file. See `MemoryMappedFile.releasePages(in:)`.
    public func releaseResidentPages() {
        withUnsafeBytes { MemoryMappedFile.releasePages(in: $0) }
    }

    /// The values widened to `Float` (F32, F16, BF16 only).
    public func floats() throws(WeightsError) -> [Float] {
        guard dataType.widensToFloat else {
            throw .unsupportedDataType(tensor: name, dataType: dataType, operation: "conversion to Float")
        }
        let count = elementCount
        return [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            _ = withUnsafeBytes { FloatConversion.widen($0, of: dataType, into: buffer) }
            initializedCount = count
        }
    }

    /// Widens the values into `destination`, which must hold exactly `elementCount` floats.
    public func copyFloats(into destination: UnsafeMutableBufferPointer<Float>) throws(WeightsError) {
        guard dataType.widensToFloat else {
            throw .unsupportedDataType(tensor: name, dataType: dataType, operation: "conversion to Float")
        }
        guard destination.count == elementCount else {
            throw .destinationSizeMismatch(tensor: name, expected: elementCount, found: destination.count)
        }
        _ = withUnsafeBytes { FloatConversion.widen($0, of: dataType, into: destination) }
    }

    /// The values as `Int` (BOOL, U8, I8, I16, U16, I32, U32, I64), e.g. token or position ids.
    public func integers() throws(WeightsError) -> [Int] {
        guard let values = withUnsafeBytes({ FloatConversion.integers($0, of: dataType) }) else {
            throw .unsupportedDataType(tensor: name, dataType: dataType, operation: "conversion to Int")
        }
        return values
    }
}
