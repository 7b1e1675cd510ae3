import Testing
@testable import Weights

@Suite("FloatConversion")
struct FloatConversionTests {

    static func widen(_ bytes: [UInt8], _ dataType: SafetensorsDataType) -> [Float]? {
        let count = bytes.count / dataType.byteSize
        var values = [Float](repeating: .nan, count: count)
        let ok = bytes.withUnsafeBytes { source in
            values.withUnsafeMutableBufferPointer { FloatConversion.widen(source, of: dataType, into: $0) }
        }
        return ok ? values : nil
    }

    @Test("F16 bit patterns widen exactly, including subnormals, infinities and NaN")
    func float16() throws {
        // 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504, 0x0001 = 2^-24, 0x7C00 = +inf, 0x8000 = -0.
        let bits: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x8000, 0x7E00]
        var bytes: [UInt8] = []
        for bit in bits { FloatConversion.appendLittleEndian(bit, to: &bytes) }
        let values = try #require(Self.widen(bytes, .float16))
        #expect(Array(values.prefix(6)) == [1, -2, 65504, 0x1p-24, .infinity, -0.0])
        #expect(values[5].sign == .minus)
        #expect(values[6].isNaN)
    }

    @Test("BF16 widens by shifting into the high half")
    func bfloat16() throws {
        let bits: [UInt16] = [0x3F80, 0xC040, 0x7F80, 0x0001]
        var bytes: [UInt8] = []
        for bit in bits { FloatConversion.appendLittleEndian(bit, to: &bytes) }
        #expect(Self.widen(bytes, .bfloat16) == [1, -3, .infinity, Float(bitPattern: 0x0001_0000)])
    }

    @Test("narrowing to BF16 rounds to nearest even and keeps NaN a NaN")
    func narrowBFloat16() {
        #expect(FloatConversion.bfloat16Bits(of: 1) == 0x3F80)
        #expect(FloatConversion.bfloat16Bits(of: Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even stays
        #expect(FloatConversion.bfloat16Bits(of: Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, odd rounds up
        #expect(FloatConversion.bfloat16Bits(of: Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(FloatConversion.bfloat16Bits(of: .infinity) == 0x7F80)
        let nanBits = FloatConversion.bfloat16Bits(of: Float(bitPattern: 0x7F80_0001))
        #expect(Float(bitPattern: UInt32(nanBits) << 16).isNaN)
    }

    @Test("F32 round-trips through narrow and widen")
    func float32() {
        let values: [Float] = [0, -1.25, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        let bytes = FloatConversion.narrow(values, to: .float32) ?? []
        #expect(Self.widen(bytes, .float32) == values)
    }

    @Test("non-float types and size mismatches are refused")
    func refusals() {
        #expect(Self.widen([0, 0, 0, 0], .int32) == nil)
        #expect(FloatConversion.narrow([1], to: .int64) == nil)
        var values = [Float](repeating: 0, count: 2)
        let ok = [UInt8](repeating: 0, count: 4).withUnsafeBytes { source in
            values.withUnsafeMutableBufferPointer { FloatConversion.widen(source, of: .float32, into: $0) }
        }
        #expect(!ok)
    }

    @Test("integers are sign- or zero-extended by type")
    func integers() {
        let bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        #expect([UInt8](bytes).withUnsafeBytes { FloatConversion.integers($0, of: .int8) } == [-1, -1, -1, -1])
        #expect([UInt8](bytes).withUnsafeBytes { FloatConversion.integers($0, of: .uint8) } == [255, 255, 255, 255])
        #expect([UInt8](bytes).withUnsafeBytes { FloatConversion.integers($0, of: .int16) } == [-1, -1])
        #expect([UInt8](bytes).withUnsafeBytes { FloatConversion.integers($0, of: .uint32) } == [4_294_967_295])
        #expect([UInt8](bytes).withUnsafeBytes { FloatConversion.integers($0, of: .float32) } == nil)
    }
}
