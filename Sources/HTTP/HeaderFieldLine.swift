/// One `field-name ":" OWS field-value OWS` line (RFC 9112 §5), validated strictly.
///
/// Rejected with 400: obs-fold (a line starting with whitespace, §5.2), whitespace
/// between the name and the colon (§5.1), an empty or non-token name, and CTLs
/// (NUL, bare CR, …) in the value (§5.5, RFC 9110 §5.5).
struct HeaderFieldLine {
    var name: String
    var value: String

    static func parse(_ line: ArraySlice<UInt8>) throws(HTTPError) -> HeaderFieldLine {
        guard let first = line.first else { throw .malformed("empty header field line") }
        if first == ByteClass.space || first == ByteClass.tab {
            throw .malformed("obsolete line folding is not accepted")
        }
        guard let colon = line.firstIndex(of: ByteClass.colon) else {
            throw .malformed("header field line has no colon")
        }
        let nameBytes = line[line.startIndex..<colon]
        guard !nameBytes.isEmpty else { throw .malformed("header field name is empty") }
        for byte in nameBytes where !ByteClass.isToken(byte) {
            if byte == ByteClass.space || byte == ByteClass.tab {
                throw .malformed("whitespace between header field name and colon")
            }
            throw .malformed("invalid character in header field name")
        }
        var valueStart = colon + 1
        var valueEnd = line.endIndex
        while valueStart < valueEnd, line[valueStart] == ByteClass.space || line[valueStart] == ByteClass.tab { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == ByteClass.space || line[valueEnd - 1] == ByteClass.tab { valueEnd -= 1 }
        let name = String(decoding: nameBytes, as: UTF8.self)
        for byte in line[valueStart..<valueEnd] where !ByteClass.isFieldValue(byte) {
            throw .malformed("invalid character in the value of header field '\(name)'")
        }
        return HeaderFieldLine(name: name, value: String(decoding: line[valueStart..<valueEnd], as: UTF8.self))
    }
}
