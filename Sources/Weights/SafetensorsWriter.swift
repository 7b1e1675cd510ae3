import Foundation

/// Builds a safetensors file in memory and writes it out.
///
/// The layout follows the format specification (https://github.com/huggingface/safetensors,
/// "Format") the way the reference writer does it: tensors sorted by name, stored back to back
/// from offset 0, the JSON header padded with spaces so the data region starts on an 8-byte
/// boundary, `__metadata__` first when present. Files it writes open with `SafetensorsFile`
/// and with Python's `safetensors.safe_open`.
public struct SafetensorsWriter: Sendable {
    private struct PendingTensor: Sendable {
        var dataType: SafetensorsDataType
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// String metadata stored under `__metadata__` (omitted when empty).
    public var metadata: [String: String]
    private var tensors: [String: PendingTensor] = [:]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Names of the tensors added so far, sorted.
    public var tensorNames: [String] { tensors.keys.sorted() }

    /// Adds a tensor from its raw little-endian bytes.
    public mutating func add(_ name: String, dataType: SafetensorsDataType, shape: [Int], bytes: [UInt8]) throws(WeightsError) {
        guard !name.isEmpty, name != SafetensorsHeader.metadataKey else {
            throw .invalidTensorForWriting(tensor: name, reason: "name is empty or reserved")
        }
        guard tensors[name] == nil else {
            throw .invalidTensorForWriting(tensor: name, reason: "a tensor with this name was already added")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidTensorForWriting(tensor: name, reason: "shape \(shape) has a negative dimension")
        }
        var elementCount = 1
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidTensorForWriting(tensor: name, reason: "shape \(shape) is too large") }
            elementCount = product
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dataType.byteSize)
        guard !overflow, byteCount == bytes.count else {
            throw .invalidTensorForWriting(
                tensor: name, reason: "shape \(shape) of \(dataType.rawValue) needs \(byteCount) bytes, got \(bytes.count)")
        }
        tensors[name] = PendingTensor(dataType: dataType, shape: shape, bytes: bytes)
    }

    /// Adds a tensor of `Float` values stored as F32, F16 or BF16 (narrowed by round-to-nearest-even).
    public mutating func add(_ name: String, shape: [Int], floats: [Float],
                             storedAs dataType: SafetensorsDataType = .float32) throws(WeightsError) {
        guard let bytes = FloatConversion.narrow(floats, to: dataType) else {
            throw .invalidTensorForWriting(tensor: name, reason: "floats cannot be stored as \(dataType.rawValue)")
        }
        try add(name, dataType: dataType, shape: shape, bytes: bytes)
    }

    /// Adds a tensor of integers stored as I64.
    public mutating func add(_ name: String, shape: [Int], int64Values: [Int64]) throws(WeightsError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(int64Values.count * 8)
        for value in int64Values { FloatConversion.appendLittleEndian(value, to: &bytes) }
        try add(name, dataType: .int64, shape: shape, bytes: bytes)
    }

    /// The complete file: length, padded header, data.
    public func serializedBytes() -> [UInt8] {
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { key in
                "\(Self.quoted(key)):\(Self.quoted(metadata[key] ?? ""))"
            }
            entries.append("\(Self.quoted(SafetensorsHeader.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        let names = tensorNames
        for name in names {
            guard let tensor = tensors[name] else { continue }
            let end = offset + tensor.bytes.count
            let shapeText = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(Self.quoted(name)):{\"dtype\":\"\(tensor.dataType.rawValue)\",\"shape\":[\(shapeText)],\"data_offsets\":[\(offset),\(end)]}"
            )
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var file: [UInt8] = []
        file.reserveCapacity(8 + header.count + offset)
        FloatConversion.appendLittleEndian(UInt64(header.count), to: &file)
        file.append(contentsOf: header)
        for name in names {
            if let tensor = tensors[name] { file.append(contentsOf: tensor.bytes) }
        }
        return file
    }

    /// Writes the file atomically to `url`.
    public func write(to url: URL) throws(WeightsError) {
        do {
            try Data(serializedBytes()).write(to: url, options: .atomic)
        } catch {
            throw .fileUnwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
