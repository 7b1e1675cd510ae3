/// Character classes of RFC 9110 §5.6 used by the request parser.
enum ByteClass {
    static let carriageReturn = UInt8(ascii: "\r")
    static let lineFeed = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    private static let tokenTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for character in "!#$%&'*+-.^_`|~".utf8 { table[Int(character)] = true }
        return table
    }()

    /// `tchar`: the bytes allowed in a method, field name or transfer coding.
    @inline(__always) static func isToken(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    /// Bytes allowed in a field value: HTAB, SP, VCHAR and obs-text (no CTLs, no DEL).
    @inline(__always) static func isFieldValue(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// Visible ASCII, the bytes allowed in a request target.
    @inline(__always) static func isVisible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// `qdtext` inside a quoted string (RFC 9110 §5.6.4).
    @inline(__always) static func isQuotedText(_ byte: UInt8) -> Bool {
        byte == tab || byte == space || byte == 0x21 || (byte >= 0x23 && byte <= 0x5B) || (byte >= 0x5D && byte != 0x7F)
    }

    /// Bytes allowed in a `Host` value: reg-name, IP literals and a port.
    static func isHostCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,;=%:[]".utf8.contains(byte)
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
