import Foundation
import Testing
@testable import Weights

@Suite("SHA256Digest")
struct SHA256DigestTests {

    @Test("matches the FIPS 180-4 example vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(message: String, expected: String) throws {
        #expect(try SHA256Digest.of(Array(message.utf8)).hexadecimal == expected)
    }

    @Test("hashing a file in chunks equals sha256sum and hashing the bytes at once")
    func fileMatchesSha256sum() throws {
        let directory = try TemporaryDirectory()
        // 2.5 chunks, so the streaming loop runs more than once and ends on a partial chunk.
        let count = SHA256Digest.chunkByteCount * 5 / 2 + 3
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let url = try directory.write(bytes, named: "blob.bin")

        let streamed = try SHA256Digest.ofFile(at: url)
        #expect(streamed == (try SHA256Digest.of(bytes)))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let printed = String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
        #expect(printed == streamed.hexadecimal)
    }

    @Test("the Python fixture hashes to the digest recorded by its script")
    func fixtureDigest() throws {
        let reference = try SafetensorsFileTests.referenceTensors()
        let url = weightsFixturesDirectory.appendingPathComponent("reference_mixed.safetensors")
        try SHA256Digest.verifyFile(at: url, expected: reference.sha256.uppercased())
    }

    @Test("verification reports expected and found digests on mismatch")
    func mismatch() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write(Array("abc".utf8), named: "abc.txt")
        let wrong = String(repeating: "0", count: 64)
        let error = weightsError { try SHA256Digest.verifyFile(at: url, expected: wrong) }
        #expect(error == .checksumMismatch(
            path: url.path, expected: wrong,
            found: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    @Test("rejects malformed expected digests", arguments: ["", "abc", String(repeating: "g", count: 64),
                                                          String(repeating: "0", count: 65)])
    func invalidHexadecimal(text: String) {
        #expect(weightsError { _ = try SHA256Digest(hexadecimal: text) } == .invalidChecksum(text))
    }

    @Test("a missing file is reported with its path")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("absent.bin")
        guard case .fileUnreadable(let path, _) = weightsError({ _ = try SHA256Digest.ofFile(at: url) }) else {
            Issue.record("expected fileUnreadable")
            return
        }
        #expect(path == url.path)
    }

    @Test("hexadecimal round-trips")
    func hexadecimalRoundTrip() throws {
        let digest = try SHA256Digest.of(Array("abc".utf8))
        #expect(try SHA256Digest(hexadecimal: digest.hexadecimal) == digest)
        #expect(digest.bytes.count == 32)
    }
}
