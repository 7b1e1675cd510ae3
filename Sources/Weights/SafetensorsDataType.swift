/// The element types a safetensors header may name in its `dtype` field.
///
/// The raw values are the exact strings of the safetensors format specification
/// (https://github.com/huggingface/safetensors, "Format": `BOOL`, `U8`, `I8`, `F8_E5M2`,
/// `F8_E4M3`, `I16`, `U16`, `F16`, `BF16`, `I32`, `U32`, `F32`, `F64`, `I64`, `U64`).
/// Every listed type parses, so any such file can be opened and inspected; only `F32`, `F16` and
/// `BF16` widen to `Float`, and the signed and unsigned integer types read as `Int` (token ids,
/// position ids).
public enum SafetensorsDataType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E5M2 = "F8_E5M2"
    case float8E4M3 = "F8_E4M3"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case float64 = "F64"
    case int64 = "I64"
    case uint64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// Whether values of this type can be widened to `Float` without loss by this module.
    public var widensToFloat: Bool {
        switch self {
        case .float32, .float16, .bfloat16: return true
        default: return false
        }
    }

    /// Whether values of this type read as integers (`Int`).
    public var readsAsInteger: Bool {
        switch self {
        case .bool, .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64: return true
        default: return false
        }
    }
}
