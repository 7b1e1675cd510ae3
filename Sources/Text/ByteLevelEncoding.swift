// Mirrors `bytes_to_unicode` in transformers' `models/clip/tokenization_clip.py` (4.57.6), the
// byte-level alphabet GPT-2 introduced and CLIP reuses.

/// The reversible map from the 256 byte values to 256 printable Unicode scalars.
///
/// Byte-level BPE works on text whose every UTF-8 byte has been replaced by one visible
/// character, so that no byte (space, control, continuation byte) is special to the merge
/// rules. Bytes that are already printable Latin-1 (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for
/// themselves; the other 68 take the scalars U+0100, U+0101, … in byte order.
public enum ByteLevelEncoding {
    /// The scalar standing for each byte value: `scalarForByte[Int(byte)]`.
    public static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!  // 256…323: always valid scalars
                next += 1
            }
        }
        return table
    }()

    /// The 256 bytes in the order their characters open the CLIP vocabulary (ids 0…255):
    /// the printable bytes first, then the remapped ones.
    public static let vocabularyOrder: [UInt8] = {
        let printable = (0..<256).filter(isPrintable)
        let remapped = (0..<256).filter { !isPrintable($0) }
        return (printable + remapped).map { UInt8($0) }
    }()

    /// The byte a scalar of the alphabet stands for, or `nil` for any other scalar.
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 256 {
            return isPrintable(Int(value)) ? UInt8(value) : nil
        }
        guard value < 256 + 68 else { return nil }
        return remappedBytes[Int(value - 256)]
    }

    /// The UTF-8 encoding of the alphabet characters standing for `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        for byte in bytes {
            output.append(contentsOf: utf8ForByte[Int(byte)])
        }
        return output
    }

    /// Each byte's alphabet character as UTF-8 (one or two bytes).
    static let utf8ForByte: [[UInt8]] = scalarForByte.map { Array(String($0).utf8) }

    private static let remappedBytes: [UInt8] = (0..<256).filter { !isPrintable($0) }.map { UInt8($0) }

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}
