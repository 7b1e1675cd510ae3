import CCrypto
import Foundation

/// A SHA-256 digest (FIPS 180-4), computed with OpenSSL's EVP interface.
///
/// Model manifests pin each weight file by its SHA-256 so a corrupted or substituted file is
/// refused before it is mapped and served. Files are hashed in 1 MiB chunks read with `read(2)`,
/// so hashing a multi-gigabyte checkpoint needs constant memory.
public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Size of the chunks a file is read in.
    static let chunkByteCount = 1 << 20

    /// Parses 64 hexadecimal digits (either case).
    public init(hexadecimal text: String) throws(WeightsError) {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { throw .invalidChecksum(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else {
                throw .invalidChecksum(text)
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.bytes = bytes
    }

    private init(digestBytes: [UInt8]) {
        self.bytes = digestBytes
    }

    /// Lowercase hexadecimal, as `sha256sum` prints it.
    public var hexadecimal: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hexadecimal }

    /// The digest of bytes in memory.
    public static func of(_ bytes: some Collection<UInt8>) throws(WeightsError) -> SHA256Digest {
        let hasher = try Hasher()
        let contiguous = Array(bytes)
        let updated: Result<Void, WeightsError> = contiguous.withUnsafeBytes { buffer in
            Result { () throws(WeightsError) in try hasher.update(buffer) }
        }
        try updated.get()
        return try hasher.finish()
    }

    /// The digest of the file at `url`, streamed in chunks.
    public static func ofFile(at url: URL) throws(WeightsError) -> SHA256Digest {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let hasher = try Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkByteCount, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return try hasher.finish()
    }

    /// Throws `checksumMismatch` unless the file at `url` has the digest `expected`
    /// (64 hexadecimal digits, either case).
    public static func verifyFile(at url: URL, expected: String) throws(WeightsError) {
        let expectedDigest = try SHA256Digest(hexadecimal: expected)
        let found = try ofFile(at: url)
        guard found == expectedDigest else {
            throw .checksumMismatch(path: url.path, expected: expectedDigest.hexadecimal, found: found.hexadecimal)
        }
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// One OpenSSL digest context; freed on release. Used by one thread at a time.
    private final class Hasher {
        private let context: OpaquePointer

        init() throws(WeightsError) {
            guard let context = EVP_MD_CTX_new() else {
                throw .cryptographyFailure(reason: "EVP_MD_CTX_new returned null")
            }
            self.context = context
            guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
                throw .cryptographyFailure(reason: "EVP_DigestInit_ex failed")
            }
        }

        deinit { EVP_MD_CTX_free(context) }

        func update(_ bytes: UnsafeRawBufferPointer) throws(WeightsError) {
            guard !bytes.isEmpty else { return }
            guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
                throw .cryptographyFailure(reason: "EVP_DigestUpdate failed")
            }
        }

        func finish() throws(WeightsError) -> SHA256Digest {
            var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(context, &digest, &length) == 1, length == 32 else {
                throw .cryptographyFailure(reason: "EVP_DigestFinal_ex failed")
            }
            return SHA256Digest(digestBytes: Array(digest.prefix(32)))
        }
    }
}
