/// Conversions between stored element bytes and `Float` / `Int`.
///
/// Stored data may sit at any byte offset (a safetensors header length need not be a multiple
/// of 4), so every read uses `loadUnaligned`. Values are little-endian, as the safetensors
/// specification requires.
enum FloatConversion {

    /// Widens `source` (elements of `dataType`) into `destination`, which must hold exactly
    /// `source.count / dataType.byteSize` elements. Returns false for types that do not widen.
    static func widen(_ source: UnsafeRawBufferPointer, of dataType: SafetensorsDataType,
                      into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        let count = destination.count
        guard source.count == count &* dataType.byteSize else { return false }
        switch dataType {
        case .float32:
            if count > 0, let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress {
                UnsafeMutableRawPointer(destinationBase).copyMemory(from: sourceBase, byteCount: source.count)
            }
            #if _endian(big)
            for index in 0..<count { destination[index] = Float(bitPattern: UInt32(littleEndian: destination[index].bitPattern)) }
            #endif
        case .float16:
            for index in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self))
                destination[index] = Float(Float16(bitPattern: bits))
            }
        case .bfloat16:
            for index in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self))
                destination[index] = Float(bitPattern: UInt32(bits) << 16)
            }
        default:
            return false
        }
        return true
    }

    /// Reads integer elements as `Int`. Returns nil for types that do not read as integers.
    static func integers(_ source: UnsafeRawBufferPointer, of dataType: SafetensorsDataType) -> [Int]? {
        let count = source.count / dataType.byteSize
        func read<T: FixedWidthInteger>(_ type: T.Type) -> [Int] {
            (0..<count).map { index in
                Int(T(littleEndian: source.loadUnaligned(fromByteOffset: index &* MemoryLayout<T>.size, as: T.self)))
            }
        }
        switch dataType {
        case .bool, .uint8: return read(UInt8.self)
        case .int8: return read(Int8.self)
        case .int16: return read(Int16.self)
        case .uint16: return read(UInt16.self)
        case .int32: return read(Int32.self)
        case .uint32: return read(UInt32.self)
        case .int64: return read(Int64.self)
        default: return nil
        }
    }

    /// Narrows `Float` values to the bytes of `dataType` (F32, F16 or BF16), rounding to nearest
    /// even. Returns nil for other types.
    static func narrow(_ values: [Float], to dataType: SafetensorsDataType) -> [UInt8]? {
        var bytes: [UInt8] = []
        switch dataType {
        case .float32:
            bytes.reserveCapacity(values.count * 4)
            for value in values { appendLittleEndian(value.bitPattern, to: &bytes) }
        case .float16:
            bytes.reserveCapacity(values.count * 2)
            for value in values { appendLittleEndian(Float16(value).bitPattern, to: &bytes) }
        case .bfloat16:
            bytes.reserveCapacity(values.count * 2)
            for value in values { appendLittleEndian(bfloat16Bits(of: value), to: &bytes) }
        default:
            return nil
        }
        return bytes
    }

    /// Round-to-nearest-even truncation of a `Float` to bfloat16 (NaN stays a quiet NaN).
    static func bfloat16Bits(of value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias: UInt32 = 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { bytes.append(contentsOf: $0) }
    }
}
