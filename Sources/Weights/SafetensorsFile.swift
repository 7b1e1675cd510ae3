import Foundation

/// A safetensors file opened for reading: the whole file memory-mapped read-only, the header
/// validated once, tensors handed out as zero-copy views.
///
/// Format: https://github.com/huggingface/safetensors ("Format"), validated by
/// `SafetensorsHeader`. Any problem with the file is thrown as
/// `WeightsError.invalidFile(path:reason:)` with the specific reason inside (use
/// `underlyingReason` and `tensorName` to inspect it); nothing a file contains can crash the reader.
///
/// The mapping lives as long as the file object or any `SafetensorsTensor` taken from it, and
/// is unmapped in `deinit`. The object is immutable and can be shared across tasks.
public final class SafetensorsFile: Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The validated header.
    public let header: SafetensorsHeader
    private let mapping: MemoryMappedFile

    /// Opens, maps and validates the file at `url`.
    public convenience init(contentsOf url: URL, limits: SafetensorsLimits = .standard) throws(WeightsError) {
        try self.init(path: url.path, limits: limits)
    }

    /// Opens, maps and validates the file at `path`.
    public init(path: String, limits: SafetensorsLimits = .standard) throws(WeightsError) {
        self.path = path
        mapping = try MemoryMappedFile(path: path)
        do {
            header = try SafetensorsHeader(parsing: mapping.bytes, limits: limits)
        } catch {
            throw .invalidFile(path: path, reason: error)
        }
    }

    /// Tensor names in header order.
    public var tensorNames: [String] { header.tensors.map(\.name) }

    /// The `__metadata__` map.
    public var metadata: [String: String] { header.metadata }

    /// Whether the file holds a tensor with this name.
    public func contains(_ name: String) -> Bool { header.info(named: name) != nil }

    /// A view of the named tensor.
    public func tensor(named name: String) throws(WeightsError) -> SafetensorsTensor {
        guard let info = header.info(named: name) else { throw .tensorNotFound(name: name) }
        return SafetensorsTensor(info: info, file: self)
    }

    /// Views of all tensors, in header order.
    public var tensors: [SafetensorsTensor] {
        header.tensors.map { SafetensorsTensor(info: $0, file: self) }
    }

    /// Calls `body` with the bytes of one tensor. Offsets were validated against the file length.
    func withUnsafeBytes<Result>(of info: SafetensorsTensorInfo,
                                 _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let start = header.dataRegionOffset + info.dataOffsets.lowerBound
        let end = header.dataRegionOffset + info.dataOffsets.upperBound
        return try body(UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<end]))
    }
}
