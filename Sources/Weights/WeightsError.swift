import Foundation

/// Every failure the `Weights` module reports: reading, validating and writing safetensors
/// files, checksums, configuration files, and loading a model's parameters.
///
/// Each case carries structured data (the tensor name where there is one, the numbers that
/// disagree) so callers can react to it and tests can match it exactly; `description` turns it
/// into one readable sentence. Untrusted bytes never trap: every path that reads a file ends
/// in one of these cases.
public enum WeightsError: Error, Equatable, Sendable {

    // MARK: Files

    /// The file could not be opened, inspected or mapped.
    case fileUnreadable(path: String, reason: String)

    /// A safetensors file failed validation; `reason` is the specific problem.
    indirect case invalidFile(path: String, reason: WeightsError)

    // MARK: Safetensors header framing

    /// Fewer than the 8 bytes that hold the little-endian header length.
    case truncatedHeaderLength(byteCount: Int)

    /// The declared header length exceeds the configured limit.
    case headerTooLarge(declared: UInt64, limit: Int)

    /// The declared header length runs past the end of the file.
    case headerLengthPastEnd(declared: UInt64, available: Int)

    /// The header is not valid JSON; `offset` is the byte offset inside the header.
    case invalidHeaderJSON(offset: Int, reason: String)

    /// The header's top-level JSON value is not an object.
    case headerNotObject

    /// The same top-level key appears twice in the header.
    case duplicateTensor(name: String)

    /// The header describes more tensors than the configured limit.
    case tooManyTensors(count: Int, limit: Int)

    /// `__metadata__` is not an object mapping strings to strings.
    case invalidMetadata(reason: String)

    // MARK: Safetensors header entries

    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(tensor: String, field: String)

    /// A tensor entry has a field of the wrong JSON type or form.
    case invalidField(tensor: String, field: String, reason: String)

    /// The `dtype` string is not one of the safetensors data types.
    case unknownDataType(tensor: String, dataType: String)

    /// A dimension of `shape` is negative.
    case negativeDimension(tensor: String, index: Int)

    /// A size computed from the header (a dimension, an element count, a byte count or an offset)
    /// does not fit in `Int`.
    case sizeOverflow(tensor: String)

    /// The byte range's length disagrees with shape × element size.
    case byteCountMismatch(tensor: String, expected: Int, found: Int)

    /// `data_offsets` has its begin after its end.
    case offsetsReversed(tensor: String, begin: Int, end: Int)

    /// `data_offsets` ends past the end of the data region.
    case offsetsPastEnd(tensor: String, end: Int, dataRegionLength: Int)

    /// Two tensors claim overlapping bytes.
    case overlappingTensors(tensor: String, other: String)

    // MARK: Reading tensors

    /// No tensor with this name exists in the file or store.
    case tensorNotFound(name: String)

    /// The tensor's data type cannot be converted for the requested use.
    case unsupportedDataType(tensor: String, dataType: SafetensorsDataType, operation: String)

    /// A destination buffer has the wrong number of elements.
    case destinationSizeMismatch(tensor: String, expected: Int, found: Int)

    // MARK: Writing

    /// A tensor handed to the writer is inconsistent (shape vs values, bad name, duplicate).
    case invalidTensorForWriting(tensor: String, reason: String)

    /// Writing a file failed.
    case fileUnwritable(path: String, reason: String)

    // MARK: Checksums

    /// The file's SHA-256 is not the expected one (both lowercase hexadecimal).
    case checksumMismatch(path: String, expected: String, found: String)

    /// An expected checksum is not 64 hexadecimal digits.
    case invalidChecksum(String)

    /// OpenSSL refused a digest operation.
    case cryptographyFailure(reason: String)

    // MARK: Loading models

    /// Two files of one parameter store hold the same tensor name.
    case duplicateTensorAcrossFiles(name: String, firstPath: String, secondPath: String)

    /// Loading a model found problems; the report lists all of them together.
    case loadFailed(ParameterLoadReport)

    // MARK: Configuration

    /// A configuration file could not be read.
    case configurationUnreadable(path: String, reason: String)

    /// A configuration file is not valid for the requested type; `key` is the dotted coding path.
    case configurationInvalid(path: String, key: String, reason: String)
}

extension WeightsError {
    /// The tensor the error concerns, when there is one (looking through `invalidFile`).
    public var tensorName: String? {
        switch self {
        case .invalidFile(_, let reason):
            return reason.tensorName
        case .duplicateTensor(let name), .tensorNotFound(let name):
            return name
        case .missingField(let tensor, _), .invalidField(let tensor, _, _),
            .unknownDataType(let tensor, _), .negativeDimension(let tensor, _),
            .sizeOverflow(let tensor), .byteCountMismatch(let tensor, _, _),
            .offsetsReversed(let tensor, _, _), .offsetsPastEnd(let tensor, _, _),
            .overlappingTensors(let tensor, _), .unsupportedDataType(let tensor, _, _),
            .destinationSizeMismatch(let tensor, _, _), .invalidTensorForWriting(let tensor, _):
            return tensor
        case .duplicateTensorAcrossFiles(let name, _, _):
            return name
        default:
            return nil
        }
    }

    /// The innermost error: `invalidFile` unwrapped, anything else unchanged.
    public var underlyingReason: WeightsError {
        if case .invalidFile(_, let reason) = self { return reason.underlyingReason }
        return self
    }
}

extension WeightsError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .fileUnreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .invalidFile(let path, let reason):
            return "invalid safetensors file '\(path)': \(reason)"
        case .truncatedHeaderLength(let byteCount):
            return "file has \(byteCount) bytes, fewer than the 8-byte header length"
        case .headerTooLarge(let declared, let limit):
            return "header length \(declared) exceeds the limit of \(limit) bytes"
        case .headerLengthPastEnd(let declared, let available):
            return "header length \(declared) runs past the end of the file (\(available) bytes after the length)"
        case .invalidHeaderJSON(let offset, let reason):
            return "header is not valid JSON at byte \(offset): \(reason)"
        case .headerNotObject:
            return "header is not a JSON object"
        case .duplicateTensor(let name):
            return "tensor '\(name)' appears more than once in the header"
        case .tooManyTensors(let count, let limit):
            return "header describes \(count) tensors, more than the limit of \(limit)"
        case .invalidMetadata(let reason):
            return "invalid __metadata__: \(reason)"
        case .missingField(let tensor, let field):
            return "tensor '\(tensor)' has no '\(field)' field"
        case .invalidField(let tensor, let field, let reason):
            return "tensor '\(tensor)' has an invalid '\(field)': \(reason)"
        case .unknownDataType(let tensor, let dataType):
            return "tensor '\(tensor)' has unknown dtype '\(dataType)'"
        case .negativeDimension(let tensor, let index):
            return "tensor '\(tensor)' has a negative dimension at index \(index)"
        case .sizeOverflow(let tensor):
            return "tensor '\(tensor)' has a size or offset too large to represent"
        case .byteCountMismatch(let tensor, let expected, let found):
            return "tensor '\(tensor)' needs \(expected) bytes for its shape and dtype but its offsets span \(found)"
        case .offsetsReversed(let tensor, let begin, let end):
            return "tensor '\(tensor)' has data_offsets begin \(begin) after end \(end)"
        case .offsetsPastEnd(let tensor, let end, let dataRegionLength):
            return "tensor '\(tensor)' ends at \(end), past the \(dataRegionLength)-byte data region"
        case .overlappingTensors(let tensor, let other):
            return "tensor '\(tensor)' overlaps tensor '\(other)'"
        case .tensorNotFound(let name):
            return "no tensor named '\(name)'"
        case .unsupportedDataType(let tensor, let dataType, let operation):
            return "tensor '\(tensor)' has dtype \(dataType.rawValue), which does not support \(operation)"
        case .destinationSizeMismatch(let tensor, let expected, let found):
            return "tensor '\(tensor)' has \(expected) elements but the destination holds \(found)"
        case .invalidTensorForWriting(let tensor, let reason):
            return "cannot write tensor '\(tensor)': \(reason)"
        case .fileUnwritable(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        case .checksumMismatch(let path, let expected, let found):
            return "SHA-256 of '\(path)' is \(found), expected \(expected)"
        case .invalidChecksum(let text):
            return "'\(text)' is not a SHA-256 digest (64 hexadecimal digits)"
        case .cryptographyFailure(let reason):
            return "OpenSSL digest failed: \(reason)"
        case .duplicateTensorAcrossFiles(let name, let firstPath, let secondPath):
            return "tensor '\(name)' is in both '\(firstPath)' and '\(secondPath)'"
        case .loadFailed(let report):
            return report.description
        case .configurationUnreadable(let path, let reason):
            return "cannot read configuration '\(path)': \(reason)"
        case .configurationInvalid(let path, let key, let reason):
            return "configuration '\(path)' is invalid at '\(key)': \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
