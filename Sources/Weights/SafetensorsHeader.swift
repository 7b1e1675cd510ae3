/// Where one tensor lives in a safetensors file, as described by the header.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// The tensor's key, e.g. `down_blocks.0.resnets.1.conv1.weight`.
    public let name: String
    public let dataType: SafetensorsDataType
    /// Dimensions, outermost first (row-major, as PyTorch stores them).
    public let shape: [Int]
    /// Byte range relative to the start of the data region (the byte after the header).
    public let dataOffsets: Range<Int>

    /// The product of `shape` (1 for a scalar). Validated not to overflow when parsed.
    public var elementCount: Int { shape.reduce(1, *) }
    /// `elementCount × dataType.byteSize`, equal to the length of `dataOffsets`.
    public var byteCount: Int { dataOffsets.count }
}

/// The validated header of a safetensors file.
///
/// Format (https://github.com/huggingface/safetensors, "Format"): 8 bytes holding the header
/// length N as an unsigned little-endian 64-bit integer; N bytes of UTF-8 JSON mapping each tensor
/// name to `{"dtype", "shape", "data_offsets": [begin, end]}`, plus an optional `__metadata__`
/// map of strings; then the data region, to which the offsets are relative.
///
/// Parsing works on bytes alone (no file, no mmap), so the same code serves `SafetensorsFile`
/// and the fuzzer. It checks everything the data accesses later rely on: the header fits in the
/// input, every entry has its three fields with the right types, dtypes are known, dimensions
/// are non-negative, shape × element size equals the byte range's length (all in checked
/// arithmetic), offsets are ordered and inside the data region, no two tensors overlap, and no
/// key repeats. Gaps between tensors are allowed.
public struct SafetensorsHeader: Sendable, Equatable {
    /// The tensors, in the order the header lists them.
    public private(set) var tensors: [SafetensorsTensorInfo]
    /// The `__metadata__` map (empty when absent).
    public private(set) var metadata: [String: String]
    /// Length of the JSON header (N).
    public private(set) var headerByteCount: Int
    /// Offset of the data region from the start of the file (8 + N).
    public var dataRegionOffset: Int { 8 + headerByteCount }
    /// Length of the data region (file length − 8 − N).
    public private(set) var dataRegionByteCount: Int

    private var indexByName: [String: Int]

    /// The key reserved for the metadata map.
    public static let metadataKey = "__metadata__"

    /// Validates a whole file's bytes (or at least its header and the file length).
    ///
    /// - Parameters:
    ///   - fileBytes: the file's bytes; only the first 8 + N are read.
    ///   - limits: sanity caps on header size, tensor count and rank.
    /// - Throws: a `WeightsError` naming the tensor at fault, if any.
    public init(parsing fileBytes: UnsafeRawBufferPointer, limits: SafetensorsLimits = .standard) throws(WeightsError) {
        guard fileBytes.count >= 8 else { throw .truncatedHeaderLength(byteCount: fileBytes.count) }
        var declared: UInt64 = 0
        for index in (0..<8).reversed() {
            declared = declared << 8 | UInt64(fileBytes[index])
        }
        let available = fileBytes.count - 8
        guard declared <= UInt64(max(limits.maximumHeaderByteCount, 0)) else {
            throw .headerTooLarge(declared: declared, limit: limits.maximumHeaderByteCount)
        }
        guard declared <= UInt64(available) else {
            throw .headerLengthPastEnd(declared: declared, available: available)
        }
        let headerByteCount = Int(declared)  // ≤ available, so it fits in Int
        let headerBytes = UnsafeRawBufferPointer(rebasing: fileBytes[8..<(8 + headerByteCount)])
        let root: HeaderJSONValue
        do {
            root = try HeaderJSONParser.parse(headerBytes)
        } catch {
            throw .invalidHeaderJSON(offset: error.offset, reason: error.reason)
        }
        try self.init(json: root, headerByteCount: headerByteCount,
                      dataRegionByteCount: available - headerByteCount, limits: limits)
    }

    /// Validates a whole file held in an array.
    public init(parsing fileBytes: [UInt8], limits: SafetensorsLimits = .standard) throws(WeightsError) {
        let result: Result<SafetensorsHeader, WeightsError> = fileBytes.withUnsafeBytes { buffer in
            do throws(WeightsError) {
                return .success(try SafetensorsHeader(parsing: buffer, limits: limits))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    private init(json root: HeaderJSONValue, headerByteCount: Int, dataRegionByteCount: Int,
                 limits: SafetensorsLimits) throws(WeightsError) {
        guard case .object(let members) = root else { throw .headerNotObject }
        self.headerByteCount = headerByteCount
        self.dataRegionByteCount = dataRegionByteCount
        self.metadata = [:]
        self.tensors = []
        self.indexByName = [:]

        var sawMetadata = false
        for member in members {
            if member.key == Self.metadataKey {
                guard !sawMetadata else { throw .duplicateTensor(name: Self.metadataKey) }
                sawMetadata = true
                metadata = try Self.parseMetadata(member.value)
                continue
            }
            guard indexByName[member.key] == nil else { throw .duplicateTensor(name: member.key) }
            guard tensors.count < limits.maximumTensorCount else {
                throw .tooManyTensors(count: members.count - (sawMetadata ? 1 : 0), limit: limits.maximumTensorCount)
            }
            let info = try Self.parseEntry(name: member.key, value: member.value,
                                           dataRegionByteCount: dataRegionByteCount, limits: limits)
            indexByName[member.key] = tensors.count
            tensors.append(info)
        }
        try Self.checkNoOverlaps(tensors)
    }

    /// The tensor with this name, if the header lists it.
    public func info(named name: String) -> SafetensorsTensorInfo? {
        guard let index = indexByName[name] else { return nil }
        return tensors[index]
    }

    // MARK: Validation

    private static func parseMetadata(_ value: HeaderJSONValue) throws(WeightsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw .invalidMetadata(reason: "expected an object, found \(value.kindName)")
        }
        var metadata: [String: String] = [:]
        for member in members {
            guard case .string(let text) = member.value else {
                throw .invalidMetadata(reason: "value of '\(member.key)' is \(member.value.kindName), not a string")
            }
            guard metadata.updateValue(text, forKey: member.key) == nil else {
                throw .invalidMetadata(reason: "key '\(member.key)' appears more than once")
            }
        }
        return metadata
    }

    private static func parseEntry(name: String, value: HeaderJSONValue, dataRegionByteCount: Int,
                                   limits: SafetensorsLimits) throws(WeightsError) -> SafetensorsTensorInfo {
        guard case .object(let members) = value else {
            throw .invalidField(tensor: name, field: "entry", reason: "expected an object, found \(value.kindName)")
        }
        var fields: [String: HeaderJSONValue] = [:]
        for member in members {
            guard fields.updateValue(member.value, forKey: member.key) == nil else {
                throw .invalidField(tensor: name, field: member.key, reason: "field appears more than once")
            }
        }
        guard let dataTypeValue = fields["dtype"] else { throw .missingField(tensor: name, field: "dtype") }
        guard let shapeValue = fields["shape"] else { throw .missingField(tensor: name, field: "shape") }
        guard let offsetsValue = fields["data_offsets"] else { throw .missingField(tensor: name, field: "data_offsets") }

        guard case .string(let dataTypeText) = dataTypeValue else {
            throw .invalidField(tensor: name, field: "dtype", reason: "expected a string, found \(dataTypeValue.kindName)")
        }
        guard let dataType = SafetensorsDataType(rawValue: dataTypeText) else {
            throw .unknownDataType(tensor: name, dataType: dataTypeText)
        }

        guard case .array(let dimensionValues) = shapeValue else {
            throw .invalidField(tensor: name, field: "shape", reason: "expected an array, found \(shapeValue.kindName)")
        }
        guard dimensionValues.count <= limits.maximumRank else {
            throw .invalidField(tensor: name, field: "shape",
                                reason: "rank \(dimensionValues.count) exceeds the limit of \(limits.maximumRank)")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dimensionValues.count)
        var elementCount = 1
        for (index, dimensionValue) in dimensionValues.enumerated() {
            let dimension: Int
            switch integer(from: dimensionValue) {
            case .value(let number): dimension = number
            case .negative: throw .negativeDimension(tensor: name, index: index)
            case .tooLarge: throw .sizeOverflow(tensor: name)
            case .notAnInteger(let kind):
                throw .invalidField(tensor: name, field: "shape", reason: "dimension \(index) is \(kind), not an integer")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .sizeOverflow(tensor: name) }
            elementCount = product
            shape.append(dimension)
        }
        let (expectedByteCount, byteOverflow) = elementCount.multipliedReportingOverflow(by: dataType.byteSize)
        guard !byteOverflow else { throw .sizeOverflow(tensor: name) }

        guard case .array(let offsetValues) = offsetsValue else {
            throw .invalidField(tensor: name, field: "data_offsets",
                                reason: "expected an array, found \(offsetsValue.kindName)")
        }
        guard offsetValues.count == 2 else {
            throw .invalidField(tensor: name, field: "data_offsets",
                                reason: "expected 2 offsets, found \(offsetValues.count)")
        }
        var offsets: [Int] = []
        for offsetValue in offsetValues {
            switch integer(from: offsetValue) {
            case .value(let number): offsets.append(number)
            case .negative:
                throw .invalidField(tensor: name, field: "data_offsets", reason: "offset is negative")
            case .tooLarge: throw .sizeOverflow(tensor: name)
            case .notAnInteger(let kind):
                throw .invalidField(tensor: name, field: "data_offsets", reason: "offset is \(kind), not an integer")
            }
        }
        let begin = offsets[0]
        let end = offsets[1]
        guard begin <= end else { throw .offsetsReversed(tensor: name, begin: begin, end: end) }
        guard end <= dataRegionByteCount else {
            throw .offsetsPastEnd(tensor: name, end: end, dataRegionLength: dataRegionByteCount)
        }
        guard end - begin == expectedByteCount else {
            throw .byteCountMismatch(tensor: name, expected: expectedByteCount, found: end - begin)
        }
        return SafetensorsTensorInfo(name: name, dataType: dataType, shape: shape, dataOffsets: begin..<end)
    }

    private static func checkNoOverlaps(_ tensors: [SafetensorsTensorInfo]) throws(WeightsError) {
        // Empty tensors occupy no bytes, so they cannot overlap anything.
        let occupied = tensors.filter { !$0.dataOffsets.isEmpty }
            .sorted { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
        guard occupied.count > 1 else { return }
        for index in 1..<occupied.count {
            let previous = occupied[index - 1]
            let current = occupied[index]
            if current.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
                throw .overlappingTensors(tensor: current.name, other: previous.name)
            }
        }
    }

    private enum IntegerReading {
        case value(Int)
        case negative
        case tooLarge
        case notAnInteger(String)
    }

    /// Reads a JSON number as a non-negative `Int`, digit by digit with checked arithmetic.
    private static func integer(from value: HeaderJSONValue) -> IntegerReading {
        guard case .number(let text) = value else { return .notAnInteger(value.kindName) }
        var digits = Substring(text)
        var isNegative = false
        if digits.first == "-" {
            isNegative = true
            digits = digits.dropFirst()
        }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .notAnInteger("a non-integral number")
        }
        if isNegative {
            return digits.allSatisfy({ $0 == "0" }) ? .value(0) : .negative
        }
        var result = 0
        for digit in digits.utf8 {
            let (shifted, overflowMultiply) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            if overflowMultiply || overflowAdd { return .tooLarge }
            result = sum
        }
        return .value(result)
    }
}
